"""When to upload: read a typed time like "tomorrow 9am" in a zone, refuse what is unclear."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import dateparser

from core import clock
from core.errors import InputError

FIELD = "when"
# Scheduling further out than this is almost always a typo (a wrong year).
MAX_AHEAD = timedelta(days=365)
NOW_WORDS = frozenset({"", "now", "right now", "asap", "immediately"})
EXAMPLES = (
    '"now", "in 2 hours", "tomorrow 9am", "next friday 18:00" or "2026-12-01 14:30 Europe/Berlin"'
)

# Without 'timestamp' a bare number such as 1700000000 would be read as epoch seconds.
_PARSER_SETTINGS = {"PREFER_DATES_FROM": "future", "PARSERS": ["relative-time", "absolute-time"]}

_ZONE_TOKEN = re.compile(r"(?<![\w/])[A-Za-z][\w+\-]*(?:/[\w+\-]+)+")
# "in 90 minutes" means elapsed time, so it is computed on UTC and never lands in a DST gap.
_ELAPSED = re.compile(
    r"^in\s+(?:(?:\d+|an?|one)\s*(?:hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)"
    r"(?![a-z])[\s,]*(?:and\s+)?)+$"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d./\-])(\d{1,2})(?:([/\-])(\d{1,2})(?:\2(\d{2}|\d{4}))?|\.(\d{1,2})\.(\d{2}|\d{4}))"
    r"(?![\d./\-])"
)
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?![\d.])")
_CLOCK_12H = re.compile(r"(?<![\d:])(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?![a-z])")
_CLOCK_24H = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?!\s*[ap]\.?m)(?![\d])")
_LONE_NUMBER = re.compile(r"(?<![\w:/.\-+])\d{1,2}(?![\w:/.\-])")
_WEEKDAY = re.compile(
    r"\b(?:(next|this|last)\s+)?(monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thu"
    r"|friday|fri|saturday|sat|sunday|sun)\b"
)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NUMBER_NEIGHBOURS = re.compile(
    r"^(?:am|pm|a\.m\.|p\.m\.|st|nd|rd|th|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?"
    r"|d|days?|w|wks?|weeks?|months?|y|yrs?|years?)$"
)


@dataclass(frozen=True)
class When:
    """A moment a person asked for, and the zone they meant it in."""

    at_utc: datetime
    local: datetime
    zone: str
    is_now: bool = False

    @property
    def display(self) -> str:
        """What to show back before submitting, e.g. "Fri 4 Dec 2026 18:00 CET (17:00 UTC)"."""
        return describe(self.at_utc, self.zone)


def parse_when(text: str, *, tz: str, now: datetime | None = None) -> When:
    """Read `text` in zone `tz` relative to `now`; raise InputError("when", ...) if unclear."""
    now_utc = clock.as_utc(now if now is not None else clock.now())
    zone_name, rest = _take_zone(text, default=tz)
    zone = _zone(zone_name)
    zone_name = zone.key  # the canonical spelling, whatever case was typed
    phrase = " ".join(rest.lower().split())
    if phrase in NOW_WORDS:
        return When(now_utc, now_utc.astimezone(zone), zone_name, is_now=True)
    _refuse_day_month_swap(phrase)
    phrase = _DOTTED_TIME.sub(r"\1:\2", phrase)
    _refuse_lone_hour(phrase, text)
    at_utc = _resolve(phrase, text, zone, zone_name, now_utc)
    if at_utc == now_utc:
        return When(now_utc, now_utc.astimezone(zone), zone_name, is_now=True)
    _refuse_past_or_far(text, at_utc, now_utc, zone_name)
    return When(at_utc, at_utc.astimezone(zone), zone_name)


def describe(at_utc: datetime, tz: str) -> str:
    """A stored time for people: local day, date and time with the zone, then UTC."""
    instant = clock.as_utc(at_utc)
    local = instant.astimezone(_zone(tz))
    label = local.tzname() or tz
    text = f"{_day_text(local)} {local:%H:%M} {label}"
    if label == "UTC":
        return text
    if local.date() == instant.date():
        return f"{text} ({instant:%H:%M} UTC)"
    return f"{text} ({instant:%a} {instant.day} {instant:%b %H:%M} UTC)"


def _day_text(value: datetime) -> str:
    # strftime's %-d is not portable, and "04 Dec" reads worse than "4 Dec".
    return f"{value:%a} {value.day} {value:%b} {value.year}"


@functools.cache
def _known_zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _zone(name: str) -> ZoneInfo:
    canonical = _known_zones().get(name.lower())
    if canonical is None:
        raise InputError(
            FIELD,
            f"{name!r} is not a time zone I know; write it like Europe/Berlin or America/New_York",
        )
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(FIELD, f"time zone {name!r} could not be loaded") from exc


def _take_zone(text: str, *, default: str) -> tuple[str, str]:
    """Pull an IANA zone name out of the text; it overrides the person's own zone."""
    found = _ZONE_TOKEN.findall(text)
    if not found:
        return default, text
    if len(found) > 1:
        raise InputError(FIELD, f"name one time zone, not {len(found)}: {', '.join(found)}")
    token = found[0]
    canonical = _known_zones().get(token.lower())
    if canonical is None:
        close = difflib.get_close_matches(token, _known_zones().values(), n=1)
        hint = f"did you mean {close[0]}?" if close else "write it like Europe/Berlin"
        raise InputError(FIELD, f"{token!r} is not a time zone I know; {hint}")
    return canonical, _ZONE_TOKEN.sub(" ", text, count=1)


def _refuse_day_month_swap(phrase: str) -> None:
    """03/04/2027 is 3 April in Berlin and 4 March in New York: ask for YYYY-MM-DD."""
    for match in _NUMERIC_DATE.finditer(phrase):
        first = int(match.group(1))
        second = int(match.group(3) or match.group(5) or 0)
        year = match.group(4) or match.group(6)
        if second == 0 or first == second or first > 12 or second > 12:
            continue
        full_year = ("20" + year if len(year) == 2 else year) if year else "YYYY"
        raise InputError(
            FIELD,
            (
                f"{match.group(0)!r} could be day/month or month/day; write the date as "
                f"YYYY-MM-DD: {full_year}-{second:02d}-{first:02d} for {first} "
                f"{_month_name(second)}, or {full_year}-{first:02d}-{second:02d} for "
                f"{second} {_month_name(first)}"
            ),
        )


def _month_name(number: int) -> str:
    return datetime(2000, number, 1).strftime("%B")


def _refuse_lone_hour(phrase: str, text: str) -> None:
    """dateparser reads "friday at 6" as June and drops the 9 of "tomorrow 9": ask instead."""
    for match in _LONE_NUMBER.finditer(phrase):
        before = phrase[: match.start()].split()[-1:]
        after = phrase[match.end() :].strip(" ,").split()[:1]
        neighbours = [word.strip(",") for word in before + after]
        if any(_NUMBER_NEIGHBOURS.match(word) or word[:3] in _MONTHS for word in neighbours):
            continue
        hour = int(match.group(0))
        if hour > 23:
            raise _unreadable(text)
        choices = f"{hour}:00, {hour}am or {hour}pm" if 1 <= hour <= 12 else f"{hour}:00"
        raise InputError(FIELD, f"the {hour} in {text.strip()!r} is not clear; write {choices}")


def _resolve(phrase: str, text: str, zone: ZoneInfo, zone_name: str, now_utc: datetime) -> datetime:
    """The instant the phrase names, in UTC."""
    if _ELAPSED.match(phrase):
        parsed = _dateparse(phrase, now_utc.replace(tzinfo=None), text)
        return parsed.replace(tzinfo=UTC)
    local_now = now_utc.astimezone(zone).replace(tzinfo=None)
    parsed = _dateparse(phrase, local_now, text)
    _check_clock_time(phrase, parsed, text)
    if parsed.tzinfo is not None:
        # The text named an offset or abbreviation ("UTC", "+0200", "CET"): it is exact.
        return parsed.astimezone(UTC)
    parsed = _prefer_today(phrase, parsed, local_now)
    return _localize(parsed, zone, zone_name).astimezone(UTC)


def _dateparse(phrase: str, base: datetime, text: str) -> datetime:
    settings = {**_PARSER_SETTINGS, "RELATIVE_BASE": base}
    parsed: datetime | None = dateparser.parse(phrase, languages=["en"], settings=settings)
    if parsed is None:
        raise _unreadable(text)
    return parsed


def _unreadable(text: str) -> InputError:
    return InputError(FIELD, f"could not read {text.strip()!r} as a time; try {EXAMPLES}")


def _check_clock_time(phrase: str, parsed: datetime, text: str) -> None:
    """dateparser silently drops a time it cannot use ("tomorrow 25:00" becomes tomorrow now)."""
    wanted = _clock_time(phrase)
    if wanted is not None and (parsed.hour, parsed.minute) != wanted:
        raise _unreadable(text)


def _clock_time(phrase: str) -> tuple[int, int] | None:
    twelve = _CLOCK_12H.search(phrase)
    if twelve:
        hour, minute = int(twelve.group(1)), int(twelve.group(2) or 0)
        return (hour % 12 + (12 if twelve.group(3) == "p" else 0), minute)
    plain = _CLOCK_24H.search(phrase)
    if plain:
        return int(plain.group(1)), int(plain.group(2))
    return None


def _prefer_today(phrase: str, parsed: datetime, local_now: datetime) -> datetime:
    """On a Friday morning "friday 6pm" means tonight; dateparser jumps to next week."""
    match = _WEEKDAY.search(phrase)
    if match is None or match.group(1) is not None:
        return parsed
    if _WEEKDAYS.index(match.group(2)[:3]) != local_now.weekday():
        return parsed
    earlier = parsed - timedelta(days=7)
    if earlier.date() == local_now.date() and earlier > local_now:
        return earlier
    return parsed


def _localize(naive: datetime, zone: tzinfo, zone_name: str) -> datetime:
    """Attach the zone, refusing wall-clock times that daylight saving skips or repeats."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    shift = abs((second.utcoffset() or timedelta(0)) - (first.utcoffset() or timedelta(0)))
    stamp = f"{naive:%Y-%m-%d %H:%M}"
    options = f"{naive - shift:%H:%M} or {naive + shift:%H:%M}"
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise InputError(
            FIELD,
            (
                f"{stamp} does not exist in {zone_name}: clocks jump forward that night "
                f"(daylight saving time); pick {options} instead"
            ),
        )
    raise InputError(
        FIELD,
        (
            f"{stamp} happens twice in {zone_name}: clocks go back that night "
            f"(daylight saving time); pick {options} instead, or give the time in UTC "
            f"({first.astimezone(UTC):%H:%M} UTC is the first {naive:%H:%M}, "
            f"{second.astimezone(UTC):%H:%M} UTC the second)"
        ),
    )


def _refuse_past_or_far(text: str, at_utc: datetime, now_utc: datetime, zone_name: str) -> None:
    said = text.strip()
    if at_utc < now_utc:
        raise InputError(
            FIELD,
            (
                f"{said!r} was {describe(at_utc, zone_name)}, which is in the past; "
                "give a time after now"
            ),
        )
    if at_utc - now_utc > MAX_AHEAD:
        limit = describe(now_utc + MAX_AHEAD, zone_name)
        raise InputError(
            FIELD,
            (
                f"{said!r} is {describe(at_utc, zone_name)}, more than {MAX_AHEAD.days} days "
                f"ahead; pick a time before {limit}"
            ),
        )
