"""Reading jobs for pages and the CLI: listings with filters, a job's history, the queue's
summary and what runs next; `public` is a job as it may leave the server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.errors import InputError
from models import Channel, TargetKind, UploadEvent, UploadJob, UploadState


@dataclass(frozen=True)
class JobFilter:
    state: str = ""
    channel_id: int | None = None
    group: str = ""
    day: str = ""  # YYYY-MM-DD of the scheduled time, in `tz`
    tz: str = "UTC"
    limit: int = 200


def list_jobs(*, session: Session, filters: JobFilter = JobFilter()) -> list[UploadJob]:
    query = (
        select(UploadJob)
        .order_by(col(UploadJob.scheduled_for).desc(), col(UploadJob.id).desc())
        .limit(filters.limit)
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
    return list(session.exec(query).all())


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


def channel_titles(*, session: Session) -> dict[int, str]:
    return {c.id: c.title for c in session.exec(select(Channel)).all() if c.id is not None}


def summary(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(UploadJob.state, func.count()).group_by(UploadJob.state)).all()
    counts = {s.value: 0 for s in UploadState}
    for state, n in rows:
        counts[UploadState(state).value] = int(n)
    return counts


def next_scheduled(*, session: Session, limit: int = 5) -> list[UploadJob]:
    return list(
        session.exec(
            select(UploadJob)
            .where(col(UploadJob.state).in_([UploadState.SCHEDULED, UploadState.QUEUED]))
            .order_by(col(UploadJob.not_before))
            .limit(limit)
        ).all()
    )
