"""Jobs within a channel group (what a group-scoped API token may see and touch), and the
queue read a page at a time, newest first, for callers that page with a cursor.

A job is in a group when it targets the group, or runs on (or asks for) a channel of the
group. A job for "any channel of the pool" is in no group until a channel is chosen."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.errors import InputError, NotAllowed, NotFound
from models import Channel, TargetKind, UploadJob, UploadState

MAX_PAGE = 100


def _in_group(group: str) -> Any:
    members = select(Channel.id).where(Channel.group_name == group)
    return (
        (col(UploadJob.target_group) == group)
        | col(UploadJob.channel_id).in_(members)
        | col(UploadJob.target_channel_id).in_(members)
    )


def visible_job(*, session: Session, job_id: int, group: str = "") -> UploadJob:
    """The job, if it exists and (with `group`) is in that group; else NotFound, so a
    scoped caller cannot even tell other groups' jobs exist."""
    query = select(UploadJob).where(UploadJob.id == job_id)
    if group:
        query = query.where(_in_group(group))
    job = session.exec(query).first()
    if job is None:
        raise NotFound(f"upload job {job_id} does not exist")
    return job


def channel_in_group(*, session: Session, channel_id: int, group: str) -> bool:
    channel = session.get(Channel, channel_id)
    return channel is not None and channel.group_name == group


def page_of_jobs(
    *,
    session: Session,
    group: str = "",
    state: str = "",
    channel_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> tuple[list[UploadJob], int | None]:
    """Up to `limit` jobs, newest first, older than `before_id`; and the id to continue
    before (None on the last page). Ids only grow, so a page never repeats or skips a job
    created while someone pages."""
    if not 1 <= limit <= MAX_PAGE:
        raise InputError("limit", f"must be between 1 and {MAX_PAGE}")
    query = select(UploadJob).order_by(col(UploadJob.id).desc()).limit(limit + 1)
    if state:
        try:
            query = query.where(UploadJob.state == UploadState(state))
        except ValueError:
            raise InputError(
                "state", f"must be one of {', '.join(s.value for s in UploadState)}"
            ) from None
    if channel_id is not None:
        query = query.where(
            (col(UploadJob.channel_id) == channel_id)
            | (col(UploadJob.target_channel_id) == channel_id)
        )
    if group:
        query = query.where(_in_group(group))
    if before_id is not None:
        query = query.where(col(UploadJob.id) < before_id)
    rows = list(session.exec(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def require_in_group(
    *, session: Session, target: TargetKind, channel_id: int | None, group: str, scope: str
) -> None:
    """A group-scoped caller may only send uploads to its group (or a channel of it)."""
    if target == TargetKind.GROUP and group == scope:
        return
    if (
        target == TargetKind.CHANNEL
        and channel_id is not None
        and channel_in_group(session=session, channel_id=channel_id, group=scope)
    ):
        return
    raise NotAllowed(f"this token may only upload to group {scope!r} or one of its channels")
