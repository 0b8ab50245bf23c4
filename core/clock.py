"""The one clock: timezone-aware UTC now, movable by tests, and Google's Pacific day."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")

_offset = timedelta(0)
# Cross-process shift for end-to-end tests: a file holding seconds, read at most once a second.
_offset_file: Path | None = None
_file_offset = timedelta(0)
_file_read_at = 0.0


def now() -> datetime:
    """Current time, UTC, timezone-aware; everything stored comes from here."""
    return datetime.now(UTC) + _offset + _shared_offset()


def monotonic() -> float:
    """Seconds for measuring durations (never moved by tests)."""
    return time.monotonic()


def shift(delta: timedelta) -> None:
    """Move this process's clock (tests only)."""
    global _offset
    _offset += delta


def reset() -> None:
    """Undo every shift made in this process."""
    global _offset
    _offset = timedelta(0)


def use_offset_file(path: Path | None) -> None:
    """Share a clock shift across processes through a file (only when explicitly allowed)."""
    global _offset_file, _file_read_at, _file_offset
    _offset_file = path
    _file_read_at = 0.0
    _file_offset = timedelta(0)


def write_offset_file(path: Path, delta: timedelta) -> None:
    """Set the shift every process reading this file will apply."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(str(delta.total_seconds()))
    tmp.replace(path)


def _shared_offset() -> timedelta:
    global _file_offset, _file_read_at
    if _offset_file is None:
        return timedelta(0)
    mono = time.monotonic()
    if mono - _file_read_at >= 1.0:
        _file_read_at = mono
        try:
            _file_offset = timedelta(seconds=float(_offset_file.read_text().strip() or 0))
        except (OSError, ValueError):
            _file_offset = timedelta(0)
    return _file_offset


def as_utc(value: datetime) -> datetime:
    """Treat a naive value read back from SQLite as UTC; convert aware ones."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def pacific_day(at: datetime) -> date:
    """The quota day (a date in America/Los_Angeles) that contains `at`."""
    return as_utc(at).astimezone(PACIFIC).date()


def pacific_day_start(day: date) -> datetime:
    """Midnight Pacific at the start of `day`, in UTC (the hour moves with DST)."""
    return datetime(day.year, day.month, day.day, tzinfo=PACIFIC).astimezone(UTC)


def next_pacific_midnight(at: datetime) -> datetime:
    """When the quota day containing `at` ends and Google's quota resets, in UTC."""
    return pacific_day_start(pacific_day(at) + timedelta(days=1))
