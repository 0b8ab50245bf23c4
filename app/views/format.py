"""Every time, size and duration the pages show, written one way.

Absolute times are in the viewer's zone, as "Fri 4 Dec 18:00" (`date_time`); inside a
sentence, where the zone matters, with the zone and without the date when it is today:
"18:00 CET", "Fri 4 Dec 18:00 CET" (`moment`). Relative forms: "4 s ago" (`ago`),
"2 h 05 min" (`duration`), "3 min 05 s" (`eta`). Sizes: "1.5 MiB" (`mib`). Where a
page of a list is: "51-100 of 2,000 channels" (`page_label`).
The countdown on the Quota page ticks in the browser ("0 h 05 min 03 s", see
app/components/quota_gauges.py); core.when's echo of a typed time adds the year and UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core import clock
from core.listing import Found

MIB = 1024 * 1024


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return clock.as_utc(value).astimezone(zone)


def day(value: date | datetime) -> str:
    """'Fri 4 Dec'."""
    return f"{value:%a} {value.day} {value:%b}"


def date_time(
    value: datetime | None, zone: ZoneInfo, *, seconds: bool = False, empty: str = "—"
) -> str:
    """'Fri 4 Dec 18:00' (with seconds: 'Fri 4 Dec 18:00:05'); `empty` when there is none."""
    if value is None:
        return empty
    at = local(value, zone)
    return f"{day(at)} {at:%H:%M:%S}" if seconds else f"{day(at)} {at:%H:%M}"


def moment(
    value: datetime | None, zone: ZoneInfo, now: datetime | None = None, empty: str = ""
) -> str:
    """'18:00 CET' today, 'Fri 4 Dec 18:00 CET' on another day (for sentences)."""
    if value is None:
        return empty
    at = local(value, zone)
    today = local(now or clock.now(), zone).date()
    return at.strftime("%H:%M %Z") if at.date() == today else f"{day(at)} {at:%H:%M %Z}"


def time_of_day(value: datetime, zone: ZoneInfo) -> str:
    """'18:00:05 CET' (when a page was last brought up to date)."""
    return local(value, zone).strftime("%H:%M:%S %Z")


def ago(seconds: float | None) -> str:
    """'4 s ago', '3 min ago', '2 h ago', '3 days ago' (or 'never')."""
    if seconds is None:
        return "never"
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def duration(delta: timedelta) -> str:
    """'2 h 05 min', or '45 min' under an hour."""
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def eta(seconds: int | None) -> str:
    """'42 s' under 90 s, else '3 min 05 s' ('' when unknown)."""
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


def mib(n: float) -> str:
    """'1,234.5 MiB'."""
    return f"{n / MIB:,.1f} MiB"


def speed(bytes_per_second: float) -> str:
    """'12.3 MiB/s'."""
    return f"{bytes_per_second / MIB:.1f} MiB/s"


def page_label(found: Found[Any], noun: str) -> str:
    """'51-100 of 2,000 channels', '1-50 of 10,000+ jobs', 'No jobs'."""
    if not found.total:
        return f"No {noun}"
    first = found.window.offset + 1
    last = found.window.offset + len(found.items)
    more = "+" if found.capped else ""
    return f"{first:,}-{last:,} of {found.total:,}{more} {noun}"


def problem(exc: Exception) -> str:
    """An error as people read it: "Daily upload cap: must be …" for a field's error (not
    the internal name "daily_upload_cap"), the message itself otherwise."""
    sentence = getattr(exc, "sentence", None)
    return sentence if isinstance(sentence, str) else str(exc)
