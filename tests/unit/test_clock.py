"""Google's quota day runs midnight to midnight in America/Los_Angeles, DST included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core import clock


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_pacific_day_changes_at_pacific_midnight_not_utc_midnight() -> None:
    # 07:59 UTC on 2026-11-23 is 23:59 PST on the 22nd.
    assert clock.pacific_day(utc(2026, 11, 23, 7, 59)) == date(2026, 11, 22)
    assert clock.pacific_day(utc(2026, 11, 23, 8, 0)) == date(2026, 11, 23)


def test_reset_is_at_08_utc_in_winter_and_07_utc_in_summer() -> None:
    assert clock.next_pacific_midnight(utc(2026, 1, 15, 12)) == utc(2026, 1, 16, 8)
    assert clock.next_pacific_midnight(utc(2026, 7, 15, 12)) == utc(2026, 7, 16, 7)


def test_day_when_daylight_saving_starts_has_23_hours() -> None:
    start = clock.pacific_day_start(date(2026, 3, 8))
    end = clock.next_pacific_midnight(start)
    assert start == utc(2026, 3, 8, 8)
    assert end == utc(2026, 3, 9, 7)
    assert end - start == timedelta(hours=23)


def test_day_when_daylight_saving_ends_has_25_hours() -> None:
    start = clock.pacific_day_start(date(2026, 11, 1))
    end = clock.next_pacific_midnight(start)
    assert start == utc(2026, 11, 1, 7)
    assert end == utc(2026, 11, 2, 8)
    assert end - start == timedelta(hours=25)


def test_shift_moves_now_and_reset_undoes_it() -> None:
    before = clock.now()
    clock.shift(timedelta(days=2))
    try:
        assert clock.now() - before >= timedelta(days=2)
    finally:
        clock.reset()
    assert clock.now() - before < timedelta(hours=1)


def test_now_is_timezone_aware_utc() -> None:
    assert clock.now().tzinfo is not None
    assert clock.now().utcoffset() == timedelta(0)


def test_as_utc_treats_naive_values_as_utc() -> None:
    assert clock.as_utc(datetime(2026, 1, 1, 12)) == utc(2026, 1, 1, 12)
