"""Each project's buckets today as people check them: used, left, the ceilings, the reset,
and a forecast from the recent rate (QuotaUsage rows and the last hours' rollups)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select as table_select
from sqlmodel import Session, select

from core import clock, projects, quota
from core.quota_tables import HOURS, hour_floor, rows
from models.quota import QuotaUsage
from youtube import costs

# The forecast extrapolates the rate of the last 3 hours (whole rollup hours: at 10:40
# it counts from 07:00), or of the day so far when the day is younger than that.
RATE_WINDOW = timedelta(hours=3)
# A day a few minutes old would give a wild rate; never divide by less than this.
MIN_RATE_SPAN = timedelta(minutes=15)


@dataclass(frozen=True)
class BucketStatus:
    """One project's bucket today, as people check it: how much is used and left, and when."""

    project_id: int
    project: str
    bucket: str
    day: date  # the Pacific quota day
    used: int
    limit: int
    reserve: int  # units kept back for finishing uploads already started
    reserve_percent: float
    upload_ceiling: int  # new work stops here (limit minus the reserve)
    background_ceiling: int  # background reads (stats syncs) stop here
    percent: float
    exhausted: bool  # no call can be reserved before the reset
    exhausted_at: datetime | None  # when Google answered quotaExceeded, if it did
    resets_at: datetime  # next midnight Pacific, UTC
    rate_per_hour: float
    rate_since: datetime
    runs_out_at: datetime | None  # new work stops then at the current rate; None: not today

    @property
    def key(self) -> str:
        return f"{self.project_id}-{self.bucket}"

    @property
    def level(self) -> str:
        """ok, info (70 %), warning (80 %), critical (90 %) or exhausted."""
        if self.exhausted:
            return "exhausted"
        for threshold, severity in quota.THRESHOLDS:
            if self.percent >= threshold:
                return severity.value
        return "ok"

    def public(self) -> dict[str, Any]:
        """The JSON shape of `tubefleet quota --json`."""
        return {
            "project_id": self.project_id,
            "project": self.project,
            "bucket": self.bucket,
            "day": self.day.isoformat(),
            "used": self.used,
            "limit": self.limit,
            "reserve": self.reserve,
            "upload_ceiling": self.upload_ceiling,
            "background_ceiling": self.background_ceiling,
            "percent": self.percent,
            "level": self.level,
            "exhausted": self.exhausted,
            "exhausted_at": self.exhausted_at.isoformat() if self.exhausted_at else None,
            "resets_at": self.resets_at.isoformat(),
            "rate_per_hour": self.rate_per_hour,
            "runs_out_at": self.runs_out_at.isoformat() if self.runs_out_at else None,
        }


def bucket_status(
    *, session: Session, now: datetime | None = None, project_id: int | None = None
) -> list[BucketStatus]:
    """Every project's buckets today, in project-name order, the shared bucket first.

    The limit is the project's current policy (the next reservation applies it to
    today's row too); a bucket that left the policy today but was used still shows.
    """
    now = clock.as_utc(now or clock.now())
    return _statuses(session, now, _units_since(session, rate_since(now), project_id), project_id)


def rate_since(now: datetime) -> datetime:
    day_start = clock.pacific_day_start(clock.pacific_day(now))
    return max(day_start, hour_floor(now - RATE_WINDOW))


def _units_since(
    session: Session, since: datetime, project_id: int | None
) -> dict[tuple[int, str], int]:
    # The window's few hours, summed here: with a GROUP BY the planner may walk the
    # (project, bucket, hour) index over a year of hours instead of the hour index.
    query = table_select(HOURS.project_id, HOURS.bucket, HOURS.units).where(HOURS.hour >= since)
    if project_id is not None:
        query = query.where(HOURS.project_id == project_id)
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for pid, bucket, units in rows(session, query):
        sums[(int(pid), str(bucket))] += int(units or 0)
    return dict(sums)


def _statuses(
    session: Session, now: datetime, recent: dict[tuple[int, str], int], project_id: int | None
) -> list[BucketStatus]:
    day = clock.pacific_day(now)
    resets_at = clock.next_pacific_midnight(now)
    since = rate_since(now)
    span_hours = max(now - since, MIN_RATE_SPAN).total_seconds() / 3600
    all_projects = projects.list_projects(session=session)
    usage_query = select(QuotaUsage).where(QuotaUsage.day == day)
    if project_id is not None:
        all_projects = [p for p in all_projects if p.id == project_id]
        usage_query = usage_query.where(QuotaUsage.project_id == project_id)
    rows: dict[int, dict[str, QuotaUsage]] = defaultdict(dict)
    for u in session.exec(usage_query).all():
        rows[u.project_id][u.bucket] = u

    result = []
    for project in all_projects:
        assert project.id is not None
        policy = quota.policy_of(project)
        used_today = rows.get(project.id, {})
        buckets = list(costs.bucket_limits(policy).items())
        in_policy = {b for b, _ in buckets}
        buckets += sorted((b, u.limit_units) for b, u in used_today.items() if b not in in_policy)
        for bucket, limit in buckets:
            usage = used_today.get(bucket)
            used = usage.used if usage else 0
            pct = quota.reserve_percent(policy, bucket)
            upload_ceiling = quota.ceiling(limit, pct, quota.Priority.UPLOAD)
            exhausted_at = (
                clock.as_utc(usage.exhausted_at) if usage and usage.exhausted_at else None
            )
            rate = recent.get((project.id, bucket), 0) / span_hours
            runs_out_at = None
            if rate > 0 and exhausted_at is None and used < upload_ceiling:
                at = now + timedelta(hours=(upload_ceiling - used) / rate)
                runs_out_at = at if at < resets_at else None
            result.append(
                BucketStatus(
                    project_id=project.id,
                    project=project.name,
                    bucket=bucket,
                    day=day,
                    used=used,
                    limit=limit,
                    reserve=math.ceil(limit * pct / 100) if pct > 0 else 0,
                    reserve_percent=pct,
                    upload_ceiling=upload_ceiling,
                    background_ceiling=quota.ceiling(limit, pct, quota.Priority.BACKGROUND),
                    percent=round(100 * used / limit, 1) if limit > 0 else 100.0,
                    exhausted=exhausted_at is not None or used >= limit,
                    exhausted_at=exhausted_at,
                    resets_at=resets_at,
                    rate_per_hour=round(rate, 1),
                    rate_since=since,
                    runs_out_at=runs_out_at,
                )
            )
    return result
