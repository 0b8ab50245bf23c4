"""What the quota pages were built from, in a few small reads: when it is unchanged, a poll
sends nothing. Built from counters (today's use per bucket, today's calls, units and
failures, the projects' limits) and the hour, never from a rate that drifts with the clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as table_select
from sqlmodel import Session

from core import clock
from core.quota_tables import DETAIL, PROJECTS, USAGE


def quota_mark(*, session: Session, now: datetime | None = None) -> tuple[Any, ...]:
    """Changes when any call is counted, fails, a limit or project changes, or the hour turns
    (the 7-day chart and the rate window move by the hour)."""
    now = clock.as_utc(now or clock.now())
    day = clock.pacific_day(now)
    conn = session.connection()
    usage = conn.execute(
        table_select(
            USAGE.project_id, USAGE.bucket, USAGE.used, USAGE.limit_units, USAGE.exhausted_at
        )
        .where(USAGE.day == day)
        .order_by(USAGE.project_id, USAGE.bucket)
    ).all()
    totals = conn.execute(
        table_select(
            func.count(), func.sum(DETAIL.calls), func.sum(DETAIL.units), func.sum(DETAIL.failures)
        ).where(DETAIL.day == day)
    ).one()
    projects = conn.execute(
        table_select(PROJECTS.id, PROJECTS.name, PROJECTS.quota_policy).order_by(PROJECTS.id)
    ).all()
    return (
        now.replace(minute=0, second=0, microsecond=0),
        tuple(tuple(r) for r in usage),
        tuple(totals),
        repr([tuple(p) for p in projects]),
    )
