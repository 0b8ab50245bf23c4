"""Typed upload times resolve to the instant the person meant, or are refused with a fix."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from core import clock, when
from core.errors import InputError
from core.when import describe, parse_when

BERLIN = "Europe/Berlin"
LA = "America/Los_Angeles"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Wednesday 25 November 2026, 10:00 in Berlin (CET, UTC+1).
WED_10_BERLIN = utc(2026, 11, 25, 9, 0)


def refusal(text: str, *, tz: str = BERLIN, now: datetime = WED_10_BERLIN) -> str:
    with pytest.raises(InputError) as info:
        parse_when(text, tz=tz, now=now)
    assert info.value.field == "when"
    return info.value.message


@pytest.mark.parametrize("text", ["now", "", "   ", "ASAP", "immediately", "Now"])
def test_now_words_mean_now(text: str) -> None:
    result = parse_when(text, tz=BERLIN, now=WED_10_BERLIN)
    assert result.is_now
    assert result.at_utc == WED_10_BERLIN
    assert result.local.hour == 10 and result.zone == BERLIN


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("in 2 hours", timedelta(hours=2)),
        ("in 1 minute", timedelta(minutes=1)),
        ("in 90 minutes", timedelta(minutes=90)),
    ],
)
def test_relative_times_count_from_now(text: str, delta: timedelta) -> None:
    result = parse_when(text, tz=BERLIN, now=WED_10_BERLIN)
    assert result.at_utc == WED_10_BERLIN + delta
    assert not result.is_now


def test_relative_hours_are_elapsed_time_across_the_spring_gap() -> None:
    # 00:30 PST on the night clocks jump 02:00 -> 03:00; naive wall-clock adding lands in the gap.
    now = utc(2026, 3, 8, 8, 30)
    two_hours = parse_when("in 2 hours", tz=LA, now=now)
    assert two_hours.at_utc == utc(2026, 3, 8, 10, 30)
    assert two_hours.display == "Sun 8 Mar 2026 03:30 PDT (10:30 UTC)"
    assert parse_when("in 90 minutes", tz=LA, now=now).at_utc == utc(2026, 3, 8, 10, 0)


def test_default_now_comes_from_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: WED_10_BERLIN)
    assert parse_when("in 2 hours", tz=BERLIN).at_utc == utc(2026, 11, 25, 11, 0)


def test_tomorrow_9am_is_in_the_persons_zone() -> None:
    result = parse_when("tomorrow 9am", tz=BERLIN, now=WED_10_BERLIN)
    assert result.at_utc == utc(2026, 11, 26, 8, 0)
    assert result.local.hour == 9 and result.local.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        # Saturday before the US switch: Sunday 09:00 is already PDT (UTC-7), not PST.
        (LA, utc(2026, 3, 7, 18, 0), utc(2026, 3, 8, 16, 0)),
        # Saturday before the EU switch: Sunday 09:00 is CEST (UTC+2).
        (BERLIN, utc(2026, 3, 28, 11, 0), utc(2026, 3, 29, 7, 0)),
        # Saturday before the EU switch back: Sunday 09:00 is CET (UTC+1) again.
        (BERLIN, utc(2026, 10, 24, 10, 0), utc(2026, 10, 25, 8, 0)),
    ],
)
def test_tomorrow_9am_on_daylight_saving_days(tz: str, now: datetime, expected: datetime) -> None:
    assert parse_when("tomorrow 9am", tz=tz, now=now).at_utc == expected


# Local Berlin times; 27 Nov and 4 Dec 2026 are Fridays.
@pytest.mark.parametrize(
    ("now_local", "friday"),
    [
        (datetime(2026, 11, 23, 10), 27),  # Monday
        (datetime(2026, 11, 25, 10), 27),  # Wednesday
        (datetime(2026, 11, 26, 19), 27),  # Thursday evening: tomorrow
        (datetime(2026, 11, 27, 10), 4),  # Friday morning: "next" Friday is a week away
        (datetime(2026, 11, 27, 19), 4),  # Friday evening
        (datetime(2026, 11, 28, 10), 4),  # Saturday
        (datetime(2026, 11, 29, 23), 4),  # Sunday night
    ],
)
@pytest.mark.parametrize("text", ["next friday 6pm", "next friday 18:00"])
def test_next_friday_evening_from_every_weekday(
    text: str, now_local: datetime, friday: int
) -> None:
    now = (now_local - timedelta(hours=1)).replace(tzinfo=UTC)
    result = parse_when(text, tz=BERLIN, now=now)
    month = 11 if friday == 27 else 12
    assert result.at_utc == utc(2026, month, friday, 17, 0)
    assert result.local.strftime("%a %H:%M") == "Fri 18:00"


@pytest.mark.parametrize(
    ("now_local", "expected"),
    [
        (datetime(2026, 11, 26, 10), utc(2026, 11, 27, 17)),  # Thursday: tomorrow
        (datetime(2026, 11, 27, 10), utc(2026, 11, 27, 17)),  # Friday morning: tonight
        (datetime(2026, 11, 27, 19), utc(2026, 12, 4, 17)),  # Friday, 18:00 gone: next week
    ],
)
def test_plain_friday_6pm_is_the_soonest_one_ahead(now_local: datetime, expected: datetime) -> None:
    now = (now_local - timedelta(hours=1)).replace(tzinfo=UTC)
    assert parse_when("friday 6pm", tz=BERLIN, now=now).at_utc == expected


def test_iso_date_and_time_in_the_persons_zone() -> None:
    result = parse_when("2026-12-01 14:30", tz=BERLIN, now=WED_10_BERLIN)
    assert result.at_utc == utc(2026, 12, 1, 13, 30)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01 14:30 Europe/Berlin",
        "Europe/Berlin 2026-12-01 14:30",
        "2026-12-01 14:30 europe/berlin",
    ],
)
def test_a_zone_name_in_the_text_overrides_the_persons_zone(text: str) -> None:
    result = parse_when(text, tz="America/New_York", now=WED_10_BERLIN)
    assert result.at_utc == utc(2026, 12, 1, 13, 30)
    assert result.zone == BERLIN
    assert result.local.strftime("%H:%M %Z") == "14:30 CET"


def test_an_unknown_zone_name_is_named_with_a_suggestion() -> None:
    message = refusal("2026-12-01 14:30 Europe/Berln")
    assert "'Europe/Berln'" in message and "Europe/Berlin" in message


def test_an_unknown_personal_zone_is_refused() -> None:
    assert "'Mars/Olympus'" in refusal("tomorrow 9am", tz="Mars/Olympus")


def test_an_explicit_utc_time_is_taken_as_written() -> None:
    result = parse_when("2026-12-01 14:30 UTC", tz=BERLIN, now=WED_10_BERLIN)
    assert result.at_utc == utc(2026, 12, 1, 14, 30)
    assert result.local.hour == 15


@pytest.mark.parametrize("text", ["hello", "soonish", "1700000000"])
def test_unreadable_text_is_refused_with_examples(text: str) -> None:
    message = refusal(text)
    assert f"'{text}'" in message
    assert "tomorrow 9am" in message and "in 2 hours" in message


def test_a_time_dateparser_would_silently_drop_is_refused() -> None:
    # dateparser answers "tomorrow 25:00" with tomorrow at the current time.
    assert "could not read 'tomorrow 25:00'" in refusal("tomorrow 25:00")


@pytest.mark.parametrize(("text", "number"), [("friday at 6", 6), ("tomorrow 9", 9)])
def test_a_bare_hour_is_refused_as_unclear(text: str, number: int) -> None:
    message = refusal(text)
    assert f"{number}am or {number}pm" in message


def test_a_dotted_time_is_read_as_a_time() -> None:
    # Plain dateparser ignores "18.30" and keeps the current time of day.
    result = parse_when("tomorrow 18.30", tz=BERLIN, now=WED_10_BERLIN)
    assert result.at_utc == utc(2026, 11, 26, 17, 30)


def test_past_times_say_when_that_was_in_the_persons_zone() -> None:
    message = refusal("2026-11-20 14:30")
    assert "Fri 20 Nov 2026 14:30 CET" in message and "past" in message
    assert "09:00 CET" in refusal("today 9am")


def test_more_than_a_year_ahead_is_refused() -> None:
    message = refusal("in 400 days")
    assert "more than 365 days ahead" in message
    assert "Thu 25 Nov 2027 10:00 CET" in message
    assert parse_when("2027-11-24 10:00", tz=BERLIN, now=WED_10_BERLIN).at_utc == utc(
        2027, 11, 24, 9, 0
    )
    assert "more than 365 days" in refusal("2027-11-26 10:00")


def test_the_horizon_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(when, "MAX_AHEAD", timedelta(days=30))
    assert "more than 30 days ahead" in refusal("in 40 days")


@pytest.mark.parametrize("text", ["03/04/2027", "3.4.2027", "3-4-2027 10:00"])
def test_day_month_swappable_dates_ask_for_iso(text: str) -> None:
    message = refusal(text)
    assert "YYYY-MM-DD" in message
    assert "2027-04-03 for 3 April" in message and "2027-03-04 for 4 March" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-04 12:00", utc(2027, 3, 4, 11, 0)),  # ISO order is never ambiguous
        ("25.12.2026 18:00", utc(2026, 12, 25, 17, 0)),  # 25 can only be the day
    ],
)
def test_dates_that_cannot_swap_are_accepted(text: str, expected: datetime) -> None:
    assert parse_when(text, tz=BERLIN, now=WED_10_BERLIN).at_utc == expected


def test_los_angeles_repeated_hour_is_refused_with_both_readings() -> None:
    message = refusal("2026-11-01 01:30", tz=LA, now=utc(2026, 10, 20, 12))
    assert "happens twice in America/Los_Angeles" in message
    assert "00:30 or 02:30" in message
    assert "08:30 UTC is the first 01:30, 09:30 UTC the second" in message


def test_los_angeles_skipped_hour_is_refused_with_a_real_hour() -> None:
    message = refusal("2026-03-08 02:30", tz=LA, now=utc(2026, 2, 1, 12))
    assert "does not exist in America/Los_Angeles" in message
    assert "01:30 or 03:30" in message
    # Relative phrases can land in the gap too.
    assert "does not exist" in refusal("tomorrow 2:30am", tz=LA, now=utc(2026, 3, 7, 18))


def test_berlin_repeated_and_skipped_hours_are_refused() -> None:
    autumn = refusal("2026-10-25 02:30", now=utc(2026, 10, 20, 12))
    assert "happens twice in Europe/Berlin" in autumn and "01:30 or 03:30" in autumn
    spring = refusal("2026-03-29 02:30", now=utc(2026, 3, 20, 12))
    assert "does not exist in Europe/Berlin" in spring


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01 00:30", utc(2026, 11, 1, 7, 30)),  # still PDT
        ("2026-11-01 02:30", utc(2026, 11, 1, 10, 30)),  # already PST
        ("2026-11-01 09:30 UTC", utc(2026, 11, 1, 9, 30)),  # the second 01:30, said in UTC
        ("2026-03-08 03:30", utc(2026, 3, 8, 10, 30)),  # just after the gap
    ],
)
def test_hours_around_the_los_angeles_switch_are_exact(text: str, expected: datetime) -> None:
    assert parse_when(text, tz=LA, now=utc(2026, 2, 1, 12)).at_utc == expected


@pytest.mark.parametrize(
    ("at", "tz", "expected"),
    [
        (utc(2026, 12, 4, 17), BERLIN, "Fri 4 Dec 2026 18:00 CET (17:00 UTC)"),
        (utc(2026, 7, 3, 16), BERLIN, "Fri 3 Jul 2026 18:00 CEST (16:00 UTC)"),
        (utc(2026, 12, 3, 23, 30), BERLIN, "Fri 4 Dec 2026 00:30 CET (Thu 3 Dec 23:30 UTC)"),
        (utc(2026, 12, 4, 17), "UTC", "Fri 4 Dec 2026 17:00 UTC"),
        (datetime(2026, 12, 4, 17), LA, "Fri 4 Dec 2026 09:00 PST (17:00 UTC)"),  # naive = UTC
    ],
)
def test_describe_shows_local_time_and_utc(at: datetime, tz: str, expected: str) -> None:
    assert describe(at, tz) == expected


def test_result_is_frozen_utc_and_displays_itself() -> None:
    result = parse_when("next friday 18:00", tz=BERLIN, now=WED_10_BERLIN)
    assert result.at_utc.utcoffset() == timedelta(0)
    assert result.display == "Fri 27 Nov 2026 18:00 CET (17:00 UTC)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.zone = "UTC"  # type: ignore[misc]
