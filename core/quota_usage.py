"""Quota use over time and today's breakdowns: the 7-day hourly series per bucket
(QuotaBucketHour) and today's calls by method and by channel (QuotaDayDetail)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, func, literal, literal_column, or_
from sqlalchemy import select as table_select
from sqlmodel import Session

from core import clock
from core.quota_status import BucketStatus
from core.quota_tables import CHANNELS, DETAIL, HOURS, PROJECTS, hour_floor, project_names, rows
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


def usage_by_channel(
    *, session: Session, now: datetime | None = None, limit: int | None = None
) -> list[ChannelUsage]:
    """Today's calls per channel (units per bucket), most shared-bucket units first; only the
    busiest `limit` when given (a page lists those and counts the rest: channels_with_calls).
    """
    now = clock.as_utc(now or clock.now())
    day = clock.pacific_day(now)
    calls, units, failures = (func.sum(c) for c in (DETAIL.calls, DETAIL.units, DETAIL.failures))
    shared = func.sum(case((DETAIL.bucket == costs.DEFAULT_BUCKET, DETAIL.units), else_=0))
    channel = _channel()
    label = case(
        (channel == 0, literal(NO_CHANNEL)),
        else_=func.coalesce(
            func.nullif(CHANNELS.title, ""),
            literal("channel ") + cast(channel, String) + literal(" (removed)"),
        ),
    )
    # Ties in name order as Python sorts strings (by code point), on either database.
    by_code_point = session.get_bind().dialect.name == "postgresql"
    name_key = PROJECTS.name.collate("C") if by_code_point else PROJECTS.name
    label_key = label.collate("C") if by_code_point else label
    query = (
        _with_calls(table_select(DETAIL.project_id, PROJECTS.name, channel, label))
        .add_columns(calls, failures)
        .outerjoin(CHANNELS.id.table, CHANNELS.id == DETAIL.channel_id)
        .where(DETAIL.day == day)
        .group_by(DETAIL.project_id, PROJECTS.name, channel, CHANNELS.title)
        .having(or_(calls != 0, units != 0, failures != 0))
        .order_by(shared.desc(), calls.desc(), name_key, label_key)
    )
    if limit is not None:
        query = query.limit(limit)
    busiest = rows(session, query)
    if not busiest:
        return []
    by_bucket: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    ids = sorted({int(cid) for _, _, cid, _, _, _ in busiest if cid})
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
        .where(DETAIL.day == day, or_(DETAIL.channel_id.in_(ids), channel == 0))
        .group_by(DETAIL.project_id, DETAIL.channel_id, DETAIL.bucket),
    ):
        if c or u or f:
            by_bucket[(int(pid), int(cid or 0))][str(bucket)] = int(u)
    return [
        ChannelUsage(
            int(pid),
            str(project),
            int(cid) if cid else None,
            str(channel),
            int(c),
            int(f),
            by_bucket[(int(pid), int(cid or 0))],
        )
        for pid, project, cid, channel, c, f in busiest
    ]


def channels_with_calls(*, session: Session, now: datetime | None = None) -> int:
    """How many channels (and projects' channel-less calls) usage_by_channel would list."""
    now = clock.as_utc(now or clock.now())
    calls, units, failures = (func.sum(c) for c in (DETAIL.calls, DETAIL.units, DETAIL.failures))
    pairs = (
        _with_calls(table_select(DETAIL.project_id, _channel()))
        .where(DETAIL.day == clock.pacific_day(now))
        .group_by(DETAIL.project_id, _channel())
        .having(or_(calls != 0, units != 0, failures != 0))
        .subquery()
    )
    return int(rows(session, table_select(func.count()).select_from(pairs))[0][0])


def _channel() -> Any:
    """A detail row's channel, 0 for a project-level call (stored as 0 or NULL); the 0 is
    written into the SQL, so PostgreSQL sees the same expression in SELECT and GROUP BY."""
    return func.coalesce(DETAIL.channel_id, literal_column("0"))


def _with_calls(query: Any) -> Any:
    """Detail rows joined to their project: calls of a removed project are not listed."""
    return query.select_from(DETAIL.id.table).join(
        PROJECTS.id.table, PROJECTS.id == DETAIL.project_id
    )
