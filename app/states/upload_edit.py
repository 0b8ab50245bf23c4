"""Uploads page, editing a job: its details in a dialog, saved through core (which checks
who may edit and what YouTube accepts); what was typed stays when something is refused."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.session import SessionState, requires
from app.states.upload_queue import UploadQueueState
from core import db, metadata, uploads
from core.errors import InputError, InputErrors, NotFound
from models import Role


class UploadEditState(SessionState):
    open: bool = False
    job_id: str = ""
    title: str = ""
    description: str = ""
    tags: str = ""
    privacy: str = "private"
    playlist: str = ""
    errors: dict[str, str] = {}

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def start(self, job_id: str) -> Any:
        try:
            with db.read_session() as s:
                job = uploads.get_job(session=s, job_id=int(job_id))
        except (NotFound, ValueError) as exc:
            return rx.toast.error(str(exc))
        self.job_id = job_id
        self.title, self.description = job.title, job.description
        self.tags, self.privacy = ", ".join(job.tags), job.privacy
        self.playlist, self.errors = job.playlist_title, {}
        self.open = True
        return None

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_open(self, value: bool) -> None:
        self.open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_field(self, name: str, value: str) -> None:
        if name in ("title", "description", "tags", "privacy", "playlist"):
            setattr(self, name, value)
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    @requires(Role.MARKETER)
    def save(self) -> Any:
        user = self.current_user()
        if user is None:
            return rx.toast.error("your session ended; log in again")
        changes = uploads.JobEdit(
            title=self.title,
            description=self.description,
            tags=metadata.parse_tags(self.tags),
            privacy=self.privacy,
            playlist_title=self.playlist.strip(),
        )
        try:
            uploads.edit(job_id=int(self.job_id), changes=changes, actor=user)
        except InputErrors as exc:
            # The form's names for the fields; what was typed stays.
            self.errors = {
                "playlist" if k == "playlist_title" else k: v for k, v in exc.errors.items()
            }
            return rx.toast.error("Nothing was changed: fix the fields marked in red.")
        except InputError as exc:
            return rx.toast.error(exc.message)
        except (NotFound, uploads.NotAllowed) as exc:
            return rx.toast.error(str(exc))
        self.open = False
        return [rx.toast.success(f"Saved job {self.job_id}."), UploadQueueState.refresh]
