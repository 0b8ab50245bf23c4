"""The sandbox clock (real time plus a movable offset) and Pacific-day arithmetic."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.store import Store

PACIFIC = ZoneInfo("America/Los_Angeles")
OFFSET_KEY = "clock_offset"
FROZEN_KEY = "clock_frozen_at"


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
    """Real UTC time shifted by an offset that the control API moves; the offset persists.

    Frozen, it stands still at one instant until moved or thawed, so a test can compare
    numbers that grow with time (view counts) between two calls without a race.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        stored = store.get_meta(OFFSET_KEY)
        self._offset = float(stored) if stored is not None else 0.0
        frozen = store.get_meta(FROZEN_KEY)
        self.frozen_at: float | None = float(frozen) if frozen else None

    @property
    def offset(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at - time.time()
        return self._offset

    def now_ts(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.now_ts(), UTC)

    def _save(self) -> None:
        self._store.set_meta(OFFSET_KEY, repr(self._offset))
        self._store.set_meta(FROZEN_KEY, "" if self.frozen_at is None else repr(self.frozen_at))

    def set_offset(self, seconds: float) -> None:
        self._offset = float(seconds)
        if self.frozen_at is not None:
            self.frozen_at = time.time() + self._offset
        self._save()

    def advance(self, seconds: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at += seconds
            self._save()
        else:
            self.set_offset(self._offset + seconds)

    def set_to(self, moment: datetime) -> None:
        if self.frozen_at is not None:
            self.frozen_at = moment.timestamp()  # exactly that instant, no round trip
            self._save()
        else:
            self.set_offset(moment.timestamp() - time.time())

    def freeze(self) -> None:
        """Stop at the current sandbox instant (moving it still works)."""
        self.frozen_at = self.now_ts()
        self._save()

    def thaw(self) -> None:
        """Run again from the frozen instant."""
        if self.frozen_at is not None:
            self._offset = self.frozen_at - time.time()
            self.frozen_at = None
            self._save()

    def reset(self) -> None:
        self.frozen_at = None
        self.set_offset(0.0)
