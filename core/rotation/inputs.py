"""What scoring needs, read once: today's use of each channel, each project's upload quota
headroom, and each channel's recent outcomes and latest start (kept by rotation.stats).

It reads the projects, today's quota usage and three columns of the channels: a handful
of rows, never the job table.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from core import clock, quota
from core.rotation.stats import counts
from core.uploads.slots import uploads_today_by_channel
from models import Channel, Project
from models.quota import QuotaUsage
from youtube import costs

UPLOAD_BUCKETS = ("videos.insert", "default")


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


def snapshot(session: Session, *, channel_ids: Collection[int] | None = None) -> PoolSnapshot:
    """The pool as it is now (`channel_ids`: only these channels' figures)."""
    now = clock.now()
    projects = {p.id: p for p in session.exec(select(Project)).all() if p.id is not None}
    headroom, blocked = _quota(session, projects, now)
    query = select(Channel.id, Channel.recent_outcomes, Channel.last_started_at)
    if channel_ids is not None:
        query = query.where(col(Channel.id).in_(list(channel_ids)))
    success: dict[int, tuple[int, int]] = {}
    last: dict[int, datetime] = {}
    for cid, outcomes, started in session.exec(query).all():
        if cid is None:
            continue
        if outcomes:
            success[cid] = counts(outcomes)
        if started is not None:
            last[cid] = clock.as_utc(started)
    return PoolSnapshot(
        now=now,
        uploads_today=uploads_today_by_channel(session=session),
        headroom=headroom,
        quota_blocked=blocked,
        success=success,
        last_upload=last,
        projects=projects,
    )


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
