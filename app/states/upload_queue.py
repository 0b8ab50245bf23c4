"""Uploads page, the queue: upload jobs with live progress, their history, and cancel /
retry / reschedule (core decides who may)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from app.states.polled import PagedPage
from app.states.session import SessionState, requires
from app.views.uploads import history_row, percent_done, progress_row, queue_row
from core import auth, db, uploads, when
from core.errors import InputError, NotFound
from models import Role, UploadEventPublic, UploadJobPublic


class UploadQueueState(PagedPage, SessionState):
    rows: list[dict[str, str]] = []
    # Job id -> its live progress (kept apart from rows: a running upload resends only this).
    progress: dict[str, dict[str, str]] = {}
    # Job id -> 0-100: a number, as the progress bar needs (a string draws no progress).
    percent: dict[str, int] = {}
    # Jobs ticked for a bulk action (their ids).
    selected: list[str] = []
    filter_state: str = "all"
    filter_channel: str = "all"
    filter_group: str = "all"
    filter_day: str = ""
    filter_error: str = ""
    history_open: bool = False
    history_title: str = ""
    history: list[dict[str, str]] = []
    reschedule_open: bool = False
    reschedule_id: str = ""
    reschedule_text: str = ""
    reschedule_display: str = ""

    def _filter_names(self) -> tuple[str, ...]:
        return ("state", "channel", "group", "day")

    def _refresh(self) -> None:
        zone = self.zone()
        user = self.current_user()
        filters = uploads.JobFilter(
            state="" if self.filter_state == "all" else self.filter_state,
            channel_id=None if self.filter_channel == "all" else int(self.filter_channel),
            group="" if self.filter_group == "all" else self.filter_group,
            day=self.filter_day,
            tz=self.tz,
        )
        try:
            with db.read_session() as s:
                found = uploads.job_page(
                    session=s, filters=filters, search=self.search, window=self._window()
                )
                titles = uploads.titles_for_jobs(session=s, jobs=found.items)
        except InputError as exc:
            self._assign(filter_error=exc.message)
            return
        jobs = [(job, UploadJobPublic.of(job, titles)) for job in found.items]
        self._assign(
            filter_error="",
            progress={str(public.id): progress_row(public) for _, public in jobs},
            percent={str(public.id): percent_done(public) for _, public in jobs},
            rows=[
                queue_row(public, uploads.allowed_actions(job, actor=user) if user else set(), zone)
                for job, public in jobs
            ],
        )
        self._show_page(found, "jobs")

    @rx.event
    @requires(Role.MARKETER)
    def cancel(self, job_id: str) -> Any:
        return self._act(uploads.cancel, job_id, "Cancelled")

    @rx.event
    @requires(Role.MARKETER)
    def retry(self, job_id: str) -> Any:
        return self._act(uploads.retry, job_id, "Queued again")

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def toggle(self, job_id: str, on: bool) -> None:
        chosen = [j for j in self.selected if j != job_id]
        self.selected = [*chosen, job_id] if on else chosen

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def clear_selection(self) -> None:
        self.selected = []

    @rx.event
    @requires(Role.MARKETER)
    def cancel_selected(self) -> Any:
        """Cancel every ticked job; each is checked on its own (whose it is, its state)."""
        user = self._actor()
        done, refused = [], []
        for job_id in self.selected:
            try:
                uploads.cancel(job_id=int(job_id), actor=user)
                done.append(job_id)
            except (InputError, NotFound, uploads.NotAllowed, ValueError) as exc:
                refused.append(f"job {job_id}: {getattr(exc, 'message', str(exc))}")
        self.selected = []
        self._refresh()
        said = f"Cancelled {len(done)} job{'s' if len(done) != 1 else ''}."
        if refused:
            return rx.toast.warning(f"{said} Not cancelled: {'; '.join(refused)}")
        return rx.toast.success(said)

    def _actor(self) -> auth.CurrentUser:
        """The person acting (the handlers' `requires` already turned anyone else away)."""
        user = self.current_user()
        if user is None:
            raise uploads.NotAllowed("your session ended; log in again")
        return user

    def _act(self, action: Callable[..., Any], job_id: str, done: str) -> Any:
        try:
            action(job_id=int(job_id), actor=self._actor())
        except InputError as exc:
            return rx.toast.error(exc.message)
        except (NotFound, uploads.NotAllowed) as exc:
            return rx.toast.error(str(exc))
        self._refresh()
        return rx.toast.success(f"{done}: job {job_id}.")

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def show_history(self, job_id: str) -> None:
        zone = self.zone()
        with db.read_session() as s:
            events = uploads.history(session=s, job_id=int(job_id))
        row = next((r for r in self.rows if r["id"] == job_id), None)
        self.history_title = f"Job {job_id}: {row['title'] if row else ''}"
        self.history = [
            history_row(UploadEventPublic.model_validate(e, from_attributes=True), zone)
            for e in events
        ]
        self.history_open = True

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_history_open(self, value: bool) -> None:
        self.history_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def open_reschedule(self, job_id: str) -> None:
        self.reschedule_id, self.reschedule_text, self.reschedule_display = job_id, "", ""
        self.reschedule_open = True

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_reschedule_open(self, value: bool) -> None:
        self.reschedule_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_reschedule_text(self, value: str) -> None:
        self.reschedule_text = value
        try:
            self.reschedule_display = when.parse_when(value, tz=self.tz).display
        except InputError as exc:
            self.reschedule_display = exc.message

    @rx.event
    @requires(Role.MARKETER)
    def reschedule(self) -> Any:
        try:
            uploads.reschedule(
                job_id=int(self.reschedule_id),
                when_text=self.reschedule_text,
                tz=self.tz,
                actor=self._actor(),
            )
        except InputError as exc:
            return rx.toast.error(exc.message)
        except (NotFound, uploads.NotAllowed) as exc:
            return rx.toast.error(str(exc))
        self.reschedule_open = False
        self._refresh()
        return rx.toast.success(f"Rescheduled job {self.reschedule_id}.")
