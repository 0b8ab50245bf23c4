"""What scoring needs, read once: each project's upload quota headroom, and of each
channel the few columns scoring reads (`ChannelFacts`): its state, rest, token, today's
uploads, and its recent outcomes and latest start (kept by rotation.stats).

It reads the projects, today's quota usage and a few columns of the channels, never the
job table, nor the channels' tokens.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, case, func, type_coerce
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from core import clock, quota
from core.rotation.stats import counts
from models import Channel, ChannelState, Project
from models.quota import QuotaUsage
from youtube import costs

UPLOAD_BUCKETS = ("videos.insert", "default")


@dataclass(slots=True)
class ChannelFacts:
    """The columns of a channel scoring reads (the same names as on Channel), without its
    tokens: `refresh_token_enc` only says whether one is stored, `last_error` is its start."""

    id: int | None
    title: str
    project_id: int
    state: ChannelState
    published_at: datetime | None
    error_streak: int
    resting_until: datetime | None
    rest_reason: str
    daily_upload_cap: int
    refresh_token_enc: str
    last_error: str
    token_expires_at: datetime | None
    upload_day: date | None
    uploads_on_day: int
    recent_outcomes: str
    last_started_at: datetime | None


_STORED = "stored"
# The columns as the driver returns them: SQLite's timestamps are text, which one
# fromisoformat reads far faster than the generic type's parser (a pick reads ~1,400
# channels at fleet scale, and this halves it). PostgreSQL returns datetimes already.
_RAW = String()
_FACTS: tuple[Any, ...] = (
    Channel.id,
    Channel.title,
    Channel.project_id,
    type_coerce(Channel.state, _RAW),
    type_coerce(Channel.published_at, _RAW),
    Channel.error_streak,
    type_coerce(Channel.resting_until, _RAW),
    Channel.rest_reason,
    Channel.daily_upload_cap,
    case((col(Channel.refresh_token_enc) != "", _STORED), else_=""),
    func.substr(col(Channel.last_error), 1, 60),
    type_coerce(Channel.token_expires_at, _RAW),
    type_coerce(Channel.upload_day, _RAW),
    Channel.uploads_on_day,
    Channel.recent_outcomes,
    type_coerce(Channel.last_started_at, _RAW),
)


def _utc(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):  # SQLite: naive UTC text
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return None if value is None else clock.as_utc(value)


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def channel_facts(
    session: Session,
    *,
    states: Collection[ChannelState] | None = None,
    group: str = "",
    ids: Collection[int] | None = None,
) -> list[ChannelFacts]:
    """What scoring reads of the channels in `states` (of `group`, or with these `ids`)."""
    query: Any = select_columns(*_FACTS)
    if states is not None:
        query = query.where(col(Channel.state).in_([ChannelState(s).value for s in states]))
    if group:
        query = query.where(Channel.group_name == group)
    if ids is not None:
        query = query.where(col(Channel.id).in_(list(ids)))
    return [
        ChannelFacts(
            cid,
            title,
            project_id,
            ChannelState(state),
            _utc(published),
            streak,
            _utc(resting),
            rest_reason,
            cap,
            token,
            last_error,
            _utc(expires),
            _day(day),
            on_day,
            outcomes,
            _utc(started),
        )
        for (
            cid,
            title,
            project_id,
            state,
            published,
            streak,
            resting,
            rest_reason,
            cap,
            token,
            last_error,
            expires,
            day,
            on_day,
            outcomes,
            started,
        ) in session.execute(query).all()
    ]


@dataclass
class PoolSnapshot:
    """Everything scoring needs, read once."""

    now: datetime
    uploads_today: dict[int, int]
    headroom: dict[int, float]  # project id -> smallest remaining share of upload buckets
    quota_blocked: dict[int, datetime]  # project id -> when its upload quota resets
    success: dict[int, tuple[int, int]]  # channel id -> (published, failed)
    last_upload: dict[int, datetime]
    projects: dict[int, Project] = field(default_factory=dict)
    refused: set[int] = field(default_factory=set)  # channels that refused the job at hand

    def learn(self, channels: Iterable[ChannelFacts]) -> None:
        """Take these channels' uploads today, recent outcomes and latest start."""
        today = clock.pacific_day(self.now)  # the day the daily cap counts (uploads.slots)
        for c in channels:
            if c.id is None:
                continue
            if c.upload_day == today:
                self.uploads_today[c.id] = c.uploads_on_day
            if c.recent_outcomes:
                self.success[c.id] = counts(c.recent_outcomes)
            if c.last_started_at is not None:
                self.last_upload[c.id] = clock.as_utc(c.last_started_at)


def snapshot(session: Session, *, channel_ids: Collection[int] | None = None) -> PoolSnapshot:
    """The pool as it is now: the projects' quota, and the figures of the channels with
    `channel_ids` (every channel when None; none when empty: `learn` adds them later)."""
    now = clock.now()
    projects = {p.id: p for p in session.exec(select(Project)).all() if p.id is not None}
    headroom, blocked = _quota(session, projects, now)
    snap = PoolSnapshot(
        now=now,
        uploads_today={},
        headroom=headroom,
        quota_blocked=blocked,
        success={},
        last_upload={},
        projects=projects,
    )
    if channel_ids is None or channel_ids:
        snap.learn(channel_facts(session, ids=channel_ids))
    return snap


def _quota(
    session: Session, projects: dict[int, Project], now: datetime
) -> tuple[dict[int, float], dict[int, datetime]]:
    """Each project's smallest remaining share of its upload buckets today, and when the
    upload quota resets for those that cannot start another upload."""
    resets = clock.next_pacific_midnight(now)
    usage = {
        (u.project_id, u.bucket): u
        for u in session.exec(
            select(QuotaUsage).where(QuotaUsage.day == clock.pacific_day(now))
        ).all()
    }
    headroom: dict[int, float] = {}
    blocked: dict[int, datetime] = {}
    for pid, project in projects.items():
        policy = quota.policy_of(project)
        limits = costs.bucket_limits(policy)
        insert_bucket, insert_cost = costs.bucket_and_cost("videos.insert", policy)
        shares = []
        for bucket in UPLOAD_BUCKETS:
            if bucket not in limits or limits[bucket] <= 0:
                continue
            row = usage.get((pid, bucket))
            used = row.used if row else 0
            if row is not None and row.exhausted_at is not None:
                used = limits[bucket]
            shares.append(max(0.0, 1 - used / limits[bucket]))
            # The same ceiling the reservation applies to a new upload (limit - reserve).
            top = quota.ceiling(
                limits[bucket], quota.reserve_percent(policy, bucket), quota.Priority.UPLOAD
            )
            if bucket == insert_bucket and used + insert_cost > top:
                blocked[pid] = resets
        headroom[pid] = min(shares) if shares else 0.0
    return headroom, blocked
