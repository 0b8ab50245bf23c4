"""Changing a job's details before its video is on YouTube: title, description, tags,
category, privacy, made-for-kids and playlist, checked by the same rules as the form. The
job's history says who changed what."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core import audit, clock, db
from core.errors import InputError, InputErrors
from core.uploads.actors import Actor, acting, authorize, name_of
from core.uploads.lifecycle import _get, allowed_actions, record_event
from models import UploadJob, UploadState
from youtube import limits


@dataclass(frozen=True)
class JobEdit:
    """The details to change; None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    category_id: str | None = None
    privacy: str | None = None
    made_for_kids: bool | None = None
    playlist_title: str | None = None


def _said(value: Any) -> str:
    text = ", ".join(value) if isinstance(value, list) else str(value)
    return f"“{text[:60]}{'…' if len(text) > 60 else ''}”"


def edit(
    *, job_id: int, changes: JobEdit, actor: Actor, categories: set[str] | None = None
) -> UploadJob:
    """Apply `changes` to a job that has not reached YouTube (queued, scheduled, waiting or
    failed). Raises InputErrors (field -> message) when YouTube would refuse a value, and
    changes nothing then."""
    who = acting(actor)
    name = name_of(who)
    with db.session() as s:
        job = _get(s, job_id)
        authorize(job, who, "edit")
        if "edit" not in allowed_actions(job):
            state = UploadState(job.state).value
            raise InputError(
                "job",
                f"job {job_id} is {state}"
                + (f" and on YouTube as {job.video_id}" if job.video_id else "")
                + "; only jobs not yet uploaded (queued, scheduled, waiting or failed) can "
                "be edited",
            )
        asked = {f.name: getattr(changes, f.name) for f in fields(changes)}
        if asked["title"] is not None:
            asked["title"] = asked["title"].strip()
        new = {k: v for k, v in asked.items() if v is not None and v != getattr(job, k)}
        if not new:
            return job
        merged = {k: new.get(k, getattr(job, k)) for k in asked}
        problems = limits.validate_metadata(
            title=merged["title"],
            description=merged["description"],
            tags=list(merged["tags"]),
            privacy=merged["privacy"],
            publish_at=None,  # the time is reschedule's: editing words never moves it
            made_for_kids=merged["made_for_kids"],
            category_id=merged["category_id"],
            now=clock.now(),
            categories=categories,
        )
        if len(merged["playlist_title"]) > 150:
            problems["playlist_title"] = "at most 150 characters"
        if problems:
            raise InputErrors(problems)
        said = "; ".join(
            f"{k.replace('_id', '').replace('_', ' ')} {_said(getattr(job, k))} → {_said(v)}"
            for k, v in new.items()
        )
        for k, v in new.items():
            setattr(job, k, v)
        job.updated_at = clock.now()
        s.add(job)
        state = UploadState(job.state).value
        record_event(s, job_id, state, state, f"edited by {name}: {said}", actor=name)
        audit.record(
            session=s, actor=name, action="upload.edit", target=f"job {job_id}", detail=said
        )
        return job
