"""The sandbox clock (real time plus a movable offset) and Pacific-day arithmetic."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.store import Store

PACIFIC = ZoneInfo("America/Los_Angeles")
OFFSET_KEY = "clock_offset"


def pacific_day(instant: datetime) -> date:
    """The YouTube quota day that contains an aware instant."""
    return instant.astimezone(PACIFIC).date()


def pacific_midnight(day: date) -> datetime:
    """Start of a Pacific day, as an aware UTC datetime (DST-correct)."""
    # Midnight always exists in Los Angeles: the DST jumps happen at 02:00 local time.
    return datetime(day.year, day.month, day.day, tzinfo=PACIFIC).astimezone(UTC)


def next_reset(instant: datetime) -> datetime:
    """When the quota day that contains `instant` ends."""
    return pacific_midnight(pacific_day(instant) + timedelta(days=1))


def to_rfc3339(ts: float) -> str:
    """Seconds since the epoch to the form YouTube uses, e.g. 2026-11-22T20:04:05Z."""
    moment = datetime.fromtimestamp(ts, UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp; it must carry a zone (Z or an offset)."""
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        raise ValueError("timestamp has no time zone")
    return value.astimezone(UTC)


class SandboxClock:
    """Real UTC time shifted by an offset that the control API moves; the offset persists."""

    def __init__(self, store: Store) -> None:
        self._store = store
        stored = store.get_meta(OFFSET_KEY)
        self.offset = float(stored) if stored is not None else 0.0

    def now_ts(self) -> float:
        return time.time() + self.offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.now_ts(), UTC)

    def set_offset(self, seconds: float) -> None:
        self.offset = float(seconds)
        self._store.set_meta(OFFSET_KEY, repr(self.offset))

    def advance(self, seconds: float) -> None:
        self.set_offset(self.offset + seconds)

    def set_to(self, moment: datetime) -> None:
        self.set_offset(moment.timestamp() - time.time())
