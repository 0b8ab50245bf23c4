"""Read models of quota for the Quota page, the Overview and the CLI.

Everything comes from today's QuotaUsage rows (one per project and bucket) and two
small rollups written with every reservation: QuotaBucketHour (per project, bucket
and UTC hour: the 7-day chart and the recent rate) and QuotaDayDetail (per project,
bucket, method and channel for a Pacific day: today's breakdowns). A page never
reads the ledger, so what it reads grows with projects, buckets, methods, channels
and hours, not with the number of calls.

The parts: core/quota_status.py (each bucket today, with its forecast),
core/quota_usage.py (the hourly series and today's breakdowns) and core/quota_tables.py
(the columns they query); their public names are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core import clock
from core.quota_status import MIN_RATE_SPAN, RATE_WINDOW, BucketStatus, bucket_status
from core.quota_usage import (
    HISTORY_DAYS,
    NO_CHANNEL,
    ChannelUsage,
    HourlySeries,
    MethodUsage,
    channels_with_calls,
    hourly_series,
    usage_by_channel,
    usage_by_method,
)

__all__ = [
    "HISTORY_DAYS",
    "MIN_RATE_SPAN",
    "NO_CHANNEL",
    "RATE_WINDOW",
    "BucketStatus",
    "ChannelUsage",
    "HourlySeries",
    "MethodUsage",
    "QuotaReport",
    "bucket_status",
    "channels_with_calls",
    "hourly_series",
    "quota_report",
    "usage_by_channel",
    "usage_by_method",
]


@dataclass(frozen=True)
class QuotaReport:
    """Everything the Quota page shows, read at one instant."""

    now: datetime
    buckets: list[BucketStatus]
    series: list[HourlySeries]
    by_method: list[MethodUsage]
    by_channel: list[ChannelUsage]  # the busiest first; all of them unless cut
    channel_count: int  # how many channels by_channel would list uncut


def quota_report(
    *,
    session: Session,
    now: datetime | None = None,
    series_for: int | None = None,
    channel_rows: int | None = None,
) -> QuotaReport:
    """The Quota page's data, all read at the same instant; the hourly series of every
    project, or of `series_for` only (the first project when it has no buckets); the
    busiest `channel_rows` channels only, when given (the others are only counted)."""
    now = clock.as_utc(now or clock.now())
    buckets = bucket_status(session=session, now=now)
    charted = buckets
    if series_for is not None and buckets:
        wanted = series_for if any(b.project_id == series_for for b in buckets) else None
        charted = [b for b in buckets if b.project_id == (wanted or buckets[0].project_id)]
    by_channel = usage_by_channel(session=session, now=now, limit=channel_rows)
    cut = channel_rows is not None and len(by_channel) >= channel_rows
    return QuotaReport(
        now=now,
        buckets=buckets,
        series=hourly_series(session=session, buckets=charted, now=now),
        by_method=usage_by_method(session=session, now=now),
        by_channel=by_channel,
        channel_count=channels_with_calls(session=session, now=now) if cut else len(by_channel),
    )
