"""Read models of quota for the Quota page, the Overview and the CLI.

Everything comes from today's QuotaUsage rows (one per project and bucket) and two
small rollups written with every reservation: QuotaBucketHour (per project, bucket
and UTC hour: the 7-day chart and the recent rate) and QuotaDayDetail (per project,
bucket, method and channel for a Pacific day: today's breakdowns). A page never
reads the ledger, so what it reads grows with projects, buckets, methods, channels
and hours, not with the number of calls.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, select

from core import clock, projects, quota
from models import Channel, Project
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaUsage
from youtube import costs

HISTORY_DAYS = 7
# The forecast extrapolates the rate of the last 3 hours (whole rollup hours: at 10:40
# it counts from 07:00), or of the day so far when the day is younger than that.
RATE_WINDOW = timedelta(hours=3)
# A day a few minutes old would give a wild rate; never divide by less than this.
MIN_RATE_SPAN = timedelta(minutes=15)
NO_CHANNEL = "(no channel: project-level calls)"
# Table columns for the aggregate queries, which run below the ORM (see _rows).
HOURS: Any = SQLModel.metadata.tables[QuotaBucketHour.__tablename__].c
DETAIL: Any = SQLModel.metadata.tables[QuotaDayDetail.__tablename__].c
USAGE: Any = SQLModel.metadata.tables[QuotaUsage.__tablename__].c
PROJECTS: Any = SQLModel.metadata.tables[Project.__tablename__].c
CHANNELS: Any = SQLModel.metadata.tables[Channel.__tablename__].c


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


@dataclass(frozen=True)
class HourlySeries:
    """One project's bucket by UTC hour, oldest first, every hour present (zeros included)."""

    project_id: int
    project: str
    bucket: str
    hours: list[datetime]
    calls: list[int]
    units: list[int]
    failures: list[int]


@dataclass(frozen=True)
class MethodUsage:
    project_id: int
    project: str
    bucket: str
    method: str
    calls: int
    units: int
    failures: int


@dataclass(frozen=True)
class ChannelUsage:
    project_id: int
    project: str
    channel_id: int | None
    channel: str
    calls: int
    failures: int
    units_by_bucket: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QuotaReport:
    """Everything the Quota page shows, read at one instant."""

    now: datetime
    buckets: list[BucketStatus]
    series: list[HourlySeries]
    by_method: list[MethodUsage]
    by_channel: list[ChannelUsage]


def bucket_status(
    *, session: Session, now: datetime | None = None, project_id: int | None = None
) -> list[BucketStatus]:
    """Every project's buckets today, in project-name order, the shared bucket first.

    The limit is the project's current policy (the next reservation applies it to
    today's row too); a bucket that left the policy today but was used still shows.
    """
    now = clock.as_utc(now or clock.now())
    return _statuses(session, now, _units_since(session, _rate_since(now), project_id), project_id)


def hourly_series(
    *, session: Session, buckets: list[BucketStatus], now: datetime | None = None
) -> list[HourlySeries]:
    """Calls, units and failures per hour over the last 7 days, for each given bucket."""
    now = clock.as_utc(now or clock.now())
    end = _hour_floor(now)
    count = HISTORY_DAYS * 24
    hours = [end - timedelta(hours=count - 1 - h) for h in range(count)]
    first = hours[0].timestamp()
    arrays: dict[tuple[int, str], tuple[list[int], list[int], list[int]]] = {
        (b.project_id, b.bucket): ([0] * count, [0] * count, [0] * count) for b in buckets
    }
    # Hours as epoch seconds from the database: a week of rows for every bucket would
    # otherwise cost a datetime parse each, most of the page's load time.
    for pid, bucket, epoch, calls, units, failures in _rows(
        session,
        table_select(
            HOURS.project_id,
            HOURS.bucket,
            func.extract("epoch", HOURS.hour),
            HOURS.calls,
            HOURS.units,
            HOURS.failures,
        ).where(
            HOURS.hour >= hours[0],
            HOURS.hour <= end,
            # Project and bucket first: a range of the (project, bucket, hour) index.
            HOURS.project_id.in_(sorted({b.project_id for b in buckets})),
            HOURS.bucket.in_(sorted({b.bucket for b in buckets})),
        ),
    ):
        series = arrays.get((int(pid), str(bucket)))
        index = int((float(epoch) - first) // 3600)
        if series is not None and 0 <= index < count:
            series[0][index], series[1][index], series[2][index] = calls, units, failures
    return [
        HourlySeries(
            b.project_id, b.project, b.bucket, list(hours), *arrays[(b.project_id, b.bucket)]
        )
        for b in buckets
    ]


def usage_by_method(*, session: Session, now: datetime | None = None) -> list[MethodUsage]:
    """Today's calls per project, bucket and method, most units first."""
    now = clock.as_utc(now or clock.now())
    names = _project_names(session)
    result = [
        MethodUsage(int(pid), names[int(pid)], str(bucket), str(method), int(c), int(u), int(f))
        for pid, bucket, method, c, u, f in _rows(
            session,
            table_select(
                DETAIL.project_id,
                DETAIL.bucket,
                DETAIL.method,
                func.sum(DETAIL.calls),
                func.sum(DETAIL.units),
                func.sum(DETAIL.failures),
            )
            .where(DETAIL.day == clock.pacific_day(now))
            .group_by(DETAIL.project_id, DETAIL.bucket, DETAIL.method),
        )
        if int(pid) in names and (c or u or f)
    ]
    return sorted(result, key=lambda m: (-m.units, -m.calls, m.project, m.method))


def usage_by_channel(*, session: Session, now: datetime | None = None) -> list[ChannelUsage]:
    """Today's calls per channel (units per bucket), most shared-bucket units first."""
    now = clock.as_utc(now or clock.now())
    names = _project_names(session)
    calls: dict[tuple[int, int], list[int]] = {}
    units: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for pid, cid, bucket, c, u, f in _rows(
        session,
        table_select(
            DETAIL.project_id,
            DETAIL.channel_id,
            DETAIL.bucket,
            func.sum(DETAIL.calls),
            func.sum(DETAIL.units),
            func.sum(DETAIL.failures),
        )
        .where(DETAIL.day == clock.pacific_day(now))
        .group_by(DETAIL.project_id, DETAIL.channel_id, DETAIL.bucket),
    ):
        pid, cid = int(pid), int(cid or 0)
        if pid not in names or not (c or u or f):
            continue
        entry = calls.setdefault((pid, cid), [0, 0])
        entry[0] += int(c)
        entry[1] += int(f)
        units[(pid, cid)][str(bucket)] = units[(pid, cid)].get(str(bucket), 0) + int(u)
    channel_ids = sorted({cid for _, cid in calls if cid})
    titles: dict[int, str] = {}
    if channel_ids:
        rows = _rows(
            session, table_select(CHANNELS.id, CHANNELS.title).where(CHANNELS.id.in_(channel_ids))
        )
        titles = {int(i): str(t) for i, t in rows}
    result = [
        ChannelUsage(
            pid,
            names[pid],
            cid or None,
            (titles.get(cid) or f"channel {cid} (removed)") if cid else NO_CHANNEL,
            c,
            f,
            units[(pid, cid)],
        )
        for (pid, cid), (c, f) in calls.items()
    ]
    return sorted(
        result,
        key=lambda c: (
            -c.units_by_bucket.get(costs.DEFAULT_BUCKET, 0),
            -c.calls,
            c.project,
            c.channel,
        ),
    )


def quota_report(
    *, session: Session, now: datetime | None = None, series_for: int | None = None
) -> QuotaReport:
    """The Quota page's data, all read at the same instant; the hourly series of every
    project, or of `series_for` only (the first project when it has no buckets)."""
    now = clock.as_utc(now or clock.now())
    buckets = bucket_status(session=session, now=now)
    charted = buckets
    if series_for is not None and buckets:
        wanted = series_for if any(b.project_id == series_for for b in buckets) else None
        charted = [b for b in buckets if b.project_id == (wanted or buckets[0].project_id)]
    return QuotaReport(
        now=now,
        buckets=buckets,
        series=hourly_series(session=session, buckets=charted, now=now),
        by_method=usage_by_method(session=session, now=now),
        by_channel=usage_by_channel(session=session, now=now),
    )


Counts = tuple[int, int, int]  # calls, units, failures
_ZERO: Counts = (0, 0, 0)


def _hour_floor(at: datetime) -> datetime:
    return clock.as_utc(at).replace(minute=0, second=0, microsecond=0)


def _rate_since(now: datetime) -> datetime:
    day_start = clock.pacific_day_start(clock.pacific_day(now))
    return max(day_start, _hour_floor(now - RATE_WINDOW))


def _rows(session: Session, statement: Any) -> list[Any]:
    """Plain rows through the connection: aggregates need no ORM objects, and skipping the
    ORM layer matters when a page reads a few hundred rows every few seconds."""
    return list(session.connection().execute(statement).all())


def _project_names(session: Session) -> dict[int, str]:
    rows = _rows(session, table_select(PROJECTS.id, PROJECTS.name))
    return {int(pid): str(name) for pid, name in rows}


def _units_since(
    session: Session, since: datetime, project_id: int | None
) -> dict[tuple[int, str], int]:
    # The window's few hours, summed here: with a GROUP BY the planner may walk the
    # (project, bucket, hour) index over a year of hours instead of the hour index.
    query = table_select(HOURS.project_id, HOURS.bucket, HOURS.units).where(HOURS.hour >= since)
    if project_id is not None:
        query = query.where(HOURS.project_id == project_id)
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for pid, bucket, units in _rows(session, query):
        sums[(int(pid), str(bucket))] += int(units or 0)
    return dict(sums)


def _statuses(
    session: Session, now: datetime, recent: dict[tuple[int, str], int], project_id: int | None
) -> list[BucketStatus]:
    day = clock.pacific_day(now)
    resets_at = clock.next_pacific_midnight(now)
    since = _rate_since(now)
    span_hours = max(now - since, MIN_RATE_SPAN).total_seconds() / 3600
    all_projects = projects.list_projects(session=session)
    usage_query = select(QuotaUsage).where(QuotaUsage.day == day)
    if project_id is not None:
        all_projects = [p for p in all_projects if p.id == project_id]
        usage_query = usage_query.where(QuotaUsage.project_id == project_id)
    rows = {(u.project_id, u.bucket): u for u in session.exec(usage_query).all()}

    result = []
    for project in all_projects:
        assert project.id is not None
        policy = quota.policy_of(project)
        buckets = list(costs.bucket_limits(policy).items())
        in_policy = {b for b, _ in buckets}
        buckets += sorted(
            (b, u.limit_units)
            for (pid, b), u in rows.items()
            if pid == project.id and b not in in_policy
        )
        for bucket, limit in buckets:
            usage = rows.get((project.id, bucket))
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
