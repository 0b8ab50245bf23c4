"""Read models for the Overview page: counts and health from the tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import alerts, channels, clock, heartbeat, uploads
from core.settings import get_settings
from models import AuditEvent, Channel, ChannelState, UploadJobPublic, User


@dataclass(frozen=True)
class Overview:
    users: int
    open_alerts: dict[str, int]
    audit_last_day: int
    heartbeats: list[heartbeat.HeartbeatView] = field(default_factory=list)
    pool: dict[str, object] = field(default_factory=dict)
    # Upload jobs by state, and the next few due.
    queue: dict[str, int] = field(default_factory=dict)
    next_uploads: list[UploadJobPublic] = field(default_factory=list)

    @property
    def scheduler_alive(self) -> bool:
        return any(b.alive for b in self.heartbeats)

    @property
    def last_tick_age(self) -> float | None:
        return self.heartbeats[0].age_seconds if self.heartbeats else None


def _pool(session: Session) -> dict[str, object]:
    """channels.pool_health's numbers, reading only the three columns the Overview shows of
    each channel that needs re-consent (not whole rows with their tokens, every poll)."""
    by_state = channels.count_by_state(session=session)
    dead = session.exec(
        select(Channel.id, Channel.title, Channel.last_error)
        .where(Channel.state == ChannelState.NEEDS_REAUTH)
        .order_by(col(Channel.title))
    ).all()
    return {
        "by_state": by_state,
        "total": sum(by_state.values()),
        "needs_reauth": [{"id": i, "title": t, "error": e} for i, t, e in dead],
    }


def overview(*, session: Session) -> Overview:
    now = clock.now()
    users = session.exec(select(func.count()).select_from(User)).one()
    audit_count = session.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.at >= now - timedelta(days=1))
    ).one()
    beats = heartbeat.recent(session=session, interval_seconds=get_settings().heartbeat_seconds)
    upcoming = uploads.next_scheduled(session=session)
    titles = uploads.titles_for_jobs(session=session, jobs=upcoming)
    return Overview(
        users=users,
        open_alerts=alerts.open_counts(session=session),
        audit_last_day=audit_count,
        heartbeats=beats,
        pool=_pool(session),
        queue=uploads.summary(session=session),
        next_uploads=[UploadJobPublic.of(job, titles) for job in upcoming],
    )
