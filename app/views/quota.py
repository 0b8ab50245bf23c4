"""The Quota page's and the Overview's numbers: gauge groups, forecast sentences, and
today's breakdown by method and by channel, as display strings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.views import format
from app.views.charts import BAR_COLORS, bucket_title, unit_of
from core import clock
from core.quota_report import BucketStatus, QuotaReport

LEVEL_COLORS = {
    "ok": "grass",
    "info": "amber",
    "warning": "orange",
    "critical": "red",
    "exhausted": "red",
}


def forecast_sentence(b: BucketStatus, zone: ZoneInfo, now: datetime) -> str:
    """What the current rate means for this bucket, in words."""
    unit = unit_of(b.bucket)
    if b.exhausted_at is not None:
        return (
            f"Google answered quotaExceeded at {format.moment(b.exhausted_at, zone, now)}: "
            "no calls to this bucket until the reset."
        )
    if b.exhausted:
        return "Used up: no calls to this bucket until the reset."
    if b.used >= b.upload_ceiling:
        return (
            "New work waits for the reset; only uploads already started may finish, "
            f"using the {b.reserve:,}-{unit} reserve."
        )
    prefix = (
        "Background reads have stopped (90 %); uploads continue. "
        if b.used >= b.background_ceiling
        else ""
    )
    since = format.moment(b.rate_since, zone, now)
    if b.rate_per_hour <= 0:
        return prefix + (
            f"No calls since {since}: this lasts until the reset."
            if b.used
            else "No calls today yet."
        )
    rate = f"At the rate since {since} ({b.rate_per_hour:,.1f} {unit}/h),"
    if b.runs_out_at is None:
        return f"{prefix}{rate} this bucket lasts until the reset."
    return (
        f"{prefix}{rate} new work stops at about {format.moment(b.runs_out_at, zone, now)}, "
        f"{format.duration(b.resets_at - b.runs_out_at)} before the reset."
    )


def share(part: int, whole: int) -> str:
    """Where `part` sits along a bar of `whole`, as a CSS length ('37.5%'), within the bar."""
    if whole <= 0:
        return "100%" if part > 0 else "0%"
    return f"{min(100.0, max(0.0, 100 * part / whole)):.1f}%"


def gauge_item(
    b: BucketStatus, zone: ZoneInfo, now: datetime, *, compact: bool = False
) -> dict[str, Any]:
    """One gauge's data: the numbers its meter is drawn from, strings for display, and the
    test key (the browser draws the bar; nothing here is a figure). compact: what the
    Overview's gauges show, without the ceilings and the forecast."""
    title = bucket_title(b.bucket)
    item = {
        "key": b.key,
        "title": title,
        "unit": unit_of(b.bucket, b.used),
        # The meter: aria values (numbers), the bar's length and colour, where new work stops.
        "now": b.used,
        "max": b.limit,
        "fill": share(b.used, b.limit),
        "mark": share(b.upload_ceiling, b.limit),
        "color": BAR_COLORS[b.level],
        "label": f"{title}, {b.project}",
        "value_text": (
            f"{b.used:,} of {b.limit:,} {unit_of(b.bucket, b.limit)} used ({b.percent:.1f} %)"
        ),
        "used": f"{b.used:,}",
        "limit": f"{b.limit:,}",
        "reserve": f"{b.reserve:,}",
        "percent": f"{b.percent:.1f} %",
        "level": b.level,
        "level_color": LEVEL_COLORS[b.level],
        "resets": format.moment(b.resets_at, zone, now),
        "resets_iso": b.resets_at.isoformat(),
    }
    if not compact:
        item["ceilings"] = (
            f"New work stops at {b.upload_ceiling:,}"
            + (f" (reserve {b.reserve_percent:g} %)" if b.reserve else "")
            + f"; background reads at {b.background_ceiling:,}."
        )
        item["forecast"] = forecast_sentence(b, zone, now)
    return item


def gauge_groups(
    buckets: list[BucketStatus],
    zone: ZoneInfo,
    now: datetime | None = None,
    *,
    compact: bool = False,
) -> list[dict[str, Any]]:
    """The var quota_gauges() renders: one group per project, its buckets in order
    (compact: for quota_gauges(..., compact=True))."""
    now = clock.as_utc(now or clock.now())
    groups: list[dict[str, Any]] = []
    for b in buckets:
        if not groups or groups[-1]["project_id"] != str(b.project_id):
            groups.append({"project_id": str(b.project_id), "project": b.project, "gauges": []})
        groups[-1]["gauges"].append(gauge_item(b, zone, now, compact=compact))
    return groups


def method_rows(report: QuotaReport) -> list[dict[str, str]]:
    used = {(b.project_id, b.bucket): b.used for b in report.buckets}
    rows = []
    for m in report.by_method:
        total = used.get((m.project_id, m.bucket), 0)
        rows.append(
            {
                "project": m.project,
                "method": m.method,
                "bucket": bucket_title(m.bucket),
                "calls": f"{m.calls:,}",
                "units": f"{m.units:,} {unit_of(m.bucket, m.units)}",
                "failures": f"{m.failures:,}" if m.failures else "—",
                "share": f"{100 * m.units / total:.1f} %" if total else "—",
            }
        )
    return rows


# The busiest channels listed by name; a fleet of 2,000 gets a line saying how many more.
CHANNEL_ROWS = 50


def more_channels(report: QuotaReport, shown: int) -> str:
    """'and 1,950 more channels' under a breakdown cut at `shown` rows ('' when complete)."""
    more = report.channel_count - shown
    return f"and {more:,} more channels with fewer units" if more > 0 else ""


def channel_rows(report: QuotaReport) -> list[dict[str, str]]:
    return [
        {
            "project": c.project,
            "channel": c.channel,
            "calls": f"{c.calls:,}",
            "shared": f"{c.units_by_bucket.get('default', 0):,}",
            "uploads": f"{c.units_by_bucket.get('videos.insert', 0):,}",
            "searches": f"{c.units_by_bucket.get('search.list', 0):,}",
            "failures": f"{c.failures:,}" if c.failures else "—",
        }
        for c in report.by_channel
    ]
