"""Quota use over time and today's breakdowns: the 7-day hourly series per bucket
(QuotaBucketHour) and today's calls by method and by channel (QuotaDayDetail)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as table_select
from sqlmodel import Session

from core import clock
from core.quota_status import BucketStatus
from core.quota_tables import CHANNELS, DETAIL, HOURS, hour_floor, project_names, rows
from youtube import costs

HISTORY_DAYS = 7
NO_CHANNEL = "(no channel: project-level calls)"


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


def hourly_series(
    *, session: Session, buckets: list[BucketStatus], now: datetime | None = None
) -> list[HourlySeries]:
    """Calls, units and failures per hour over the last 7 days, for each given bucket."""
    now = clock.as_utc(now or clock.now())
    end = hour_floor(now)
    count = HISTORY_DAYS * 24
    hours = [end - timedelta(hours=count - 1 - h) for h in range(count)]
    first = hours[0].timestamp()
    arrays: dict[tuple[int, str], tuple[list[int], list[int], list[int]]] = {
        (b.project_id, b.bucket): ([0] * count, [0] * count, [0] * count) for b in buckets
    }
    # Hours as epoch seconds from the database: a week of rows for every bucket would
    # otherwise cost a datetime parse each, most of the page's load time.
    for pid, bucket, epoch, calls, units, failures in rows(
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
    names = project_names(session)
    result = [
        MethodUsage(int(pid), names[int(pid)], str(bucket), str(method), int(c), int(u), int(f))
        for pid, bucket, method, c, u, f in rows(
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
    names = project_names(session)
    calls: dict[tuple[int, int], list[int]] = {}
    units: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for pid, cid, bucket, c, u, f in rows(
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
        found = rows(
            session, table_select(CHANNELS.id, CHANNELS.title).where(CHANNELS.id.in_(channel_ids))
        )
        titles = {int(i): str(t) for i, t in found}
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
