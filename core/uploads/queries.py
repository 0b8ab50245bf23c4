"""Reading jobs for pages and the CLI: listings with filters (whole, or a page with a search),
a job's history, the queue's summary and what runs next; `public` is a job as it may leave
the server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import union
from sqlmodel import Session, col, or_, select

from core.errors import InputError, NotFound
from core.listing import FIRST_PAGE, Found, Window, contains, paged
from models import (
    Channel,
    TargetKind,
    UploadEvent,
    UploadJob,
    UploadState,
    unfinished_jobs,
)


@dataclass(frozen=True)
class JobFilter:
    state: str = ""
    channel_id: int | None = None
    group: str = ""
    day: str = ""  # YYYY-MM-DD of the scheduled time, in `tz`
    tz: str = "UTC"
    limit: int = 200


def list_jobs(*, session: Session, filters: JobFilter = JobFilter()) -> list[UploadJob]:
    return list(session.exec(_filtered(filters).limit(filters.limit)).all())


def job_page(
    *, session: Session, filters: JobFilter, search: str = "", window: Window = FIRST_PAGE
) -> Found[UploadJob]:
    """One page of the queue, newest scheduled first; `search` matches the title or the
    file's name (of the newest SEARCH_RECENT jobs), the YouTube id, or the job's number."""
    query = _filtered(filters)
    words = search.strip()
    if words:
        query = query.where(col(UploadJob.id).in_(_matching_ids(session, words)))
    return paged(session, query, window)


# Words in titles and file names are looked for among the newest jobs only (a scan of
# every job's title grows with the queue); a job number or a YouTube id finds any job.
SEARCH_RECENT = 5000


def _matching_ids(session: Session, words: str) -> Any:
    """The ids a search matches, as one UNION whose every part reads an index."""
    oldest = session.exec(
        select(UploadJob.id).order_by(col(UploadJob.id).desc()).offset(SEARCH_RECENT - 1).limit(1)
    ).first()
    recent = select(UploadJob.id).where(
        col(UploadJob.id) >= (oldest or 0),
        or_(contains(col(UploadJob.title), words), contains(col(UploadJob.file_name), words)),
    )
    parts = [recent, select(UploadJob.id).where(col(UploadJob.video_id) == words)]
    number = words.lstrip("#")
    if number.isdigit() and len(number) < 12:
        parts.append(select(UploadJob.id).where(col(UploadJob.id) == int(number)))
    return union(*parts)


def _filtered(filters: JobFilter) -> Any:
    query = select(UploadJob).order_by(
        col(UploadJob.scheduled_for).desc(), col(UploadJob.id).desc()
    )
    if filters.state:
        query = query.where(UploadJob.state == UploadState(filters.state))
    if filters.channel_id is not None:
        query = query.where(UploadJob.channel_id == filters.channel_id)
    if filters.group:
        channel_ids = select(Channel.id).where(Channel.group_name == filters.group)
        query = query.where(
            col(UploadJob.channel_id).in_(channel_ids) | (UploadJob.target_group == filters.group)
        )
    if filters.day:
        try:
            start = datetime.fromisoformat(filters.day).replace(tzinfo=ZoneInfo(filters.tz))
        except ValueError:
            raise InputError("date", "use YYYY-MM-DD") from None
        query = query.where(
            UploadJob.scheduled_for >= start, UploadJob.scheduled_for < start + timedelta(days=1)
        )
    return query


def get_job(*, session: Session, job_id: int) -> UploadJob:
    job = session.get(UploadJob, job_id)
    if job is None:
        raise NotFound(f"upload job {job_id} does not exist")
    return job


def history(*, session: Session, job_id: int) -> list[UploadEvent]:
    return list(
        session.exec(
            select(UploadEvent).where(UploadEvent.job_id == job_id).order_by(col(UploadEvent.id))
        ).all()
    )


def public(job: UploadJob, channel_titles: dict[int, str] | None = None) -> dict[str, Any]:
    """A job as the UI and the CLI show it (no session URI)."""
    titles = channel_titles or {}
    return {
        "id": job.id,
        "state": UploadState(job.state).value,
        "reason": job.state_reason,
        "title": job.title,
        "file_name": job.file_name,
        "file_size": job.file_size,
        "file_md5": job.file_md5,
        "target": TargetKind(job.target_kind).value,
        "target_group": job.target_group,
        "channel_id": job.channel_id,
        "channel": titles.get(job.channel_id or 0, ""),
        "video_id": job.video_id,
        "privacy": job.privacy,
        "publish_at": job.publish_at,
        "scheduled_for": job.scheduled_for,
        "not_before": job.not_before,
        "bytes_confirmed": job.bytes_confirmed,
        "bytes_sent": job.bytes_sent,
        "speed_bps": round(job.speed_bps),
        "eta_seconds": job.eta_seconds,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "warning": job.warning,
        "created_by": job.created_by,
        "created_by_id": job.created_by_id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "batch_id": job.batch_id,
        "playlist": job.playlist_title,
        "has_thumbnail": job.thumbnail_path is not None,
    }


def channel_titles(*, session: Session, ids: Iterable[int | None] | None = None) -> dict[int, str]:
    """Channel id -> title (id and title columns only): for `ids`, or every channel."""
    query = select(Channel.id, Channel.title)
    if ids is not None:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        query = query.where(col(Channel.id).in_(wanted))
    return {int(i): str(t) for i, t in session.exec(query).all() if i is not None}


def titles_for_jobs(*, session: Session, jobs: Iterable[UploadJob]) -> dict[int, str]:
    """The titles of the channels these jobs run on or ask for."""
    listed = list(jobs)
    ids = [j.channel_id for j in listed] + [j.target_channel_id for j in listed]
    return channel_titles(session=session, ids=ids)


def next_scheduled(*, session: Session, limit: int = 5) -> list[UploadJob]:
    """The jobs due next (scheduled or queued), soonest first."""
    return list(
        session.exec(
            select(UploadJob)
            .where(
                # The partial index's own condition, so that SQLite reads that index too.
                unfinished_jobs(),
                col(UploadJob.state).in_([UploadState.SCHEDULED, UploadState.QUEUED]),
            )
            .order_by(col(UploadJob.not_before))
            .limit(limit)
        ).all()
    )


# A calendar view shows at most this many jobs (a month of a busy fleet); it says so when
# there are more.
CALENDAR_LIMIT = 2000


def calendar_jobs(
    *, session: Session, start: datetime, end: datetime, limit: int = CALENDAR_LIMIT
) -> list[UploadJob]:
    """The jobs scheduled in [start, end), cancelled ones left out, in time order (read
    through the scheduled-time index: the cost follows the range, not the queue)."""
    return list(
        session.exec(
            select(UploadJob)
            .where(
                col(UploadJob.scheduled_for) >= start,
                col(UploadJob.scheduled_for) < end,
                UploadJob.state != UploadState.CANCELLED,
            )
            .order_by(col(UploadJob.scheduled_for), col(UploadJob.id))
            .limit(limit)
        ).all()
    )
