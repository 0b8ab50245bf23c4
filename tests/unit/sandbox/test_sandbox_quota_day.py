"""Pacific quota days (DST included), cost models and the per-project ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.clock import next_reset, pacific_day, pacific_midnight
from sandbox.directory import create_project
from sandbox.errors import ApiError
from sandbox.quota import QuotaLedger, cost_of
from sandbox.store import Store


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        ("2026-01-15T07:59:59Z", "2026-01-14"),  # PST: midnight is 08:00 UTC
        ("2026-01-15T08:00:00Z", "2026-01-15"),
        ("2026-07-15T06:59:59Z", "2026-07-14"),  # PDT: midnight is 07:00 UTC
        ("2026-07-15T07:00:00Z", "2026-07-15"),
        ("2026-03-09T06:59:59Z", "2026-03-08"),  # the 23-hour day DST starts on
        ("2026-03-09T07:00:00Z", "2026-03-09"),
        ("2026-11-02T07:59:59Z", "2026-11-01"),  # the 25-hour day DST ends on
        ("2026-11-02T08:00:00Z", "2026-11-02"),
    ],
)
def test_pacific_day(instant, day):
    assert pacific_day(utc(instant)).isoformat() == day


def test_dst_days_are_23_and_25_hours_long():
    spring = pacific_midnight(date(2026, 3, 9)) - pacific_midnight(date(2026, 3, 8))
    autumn = pacific_midnight(date(2026, 11, 2)) - pacific_midnight(date(2026, 11, 1))
    assert spring.total_seconds() == 23 * 3600
    assert autumn.total_seconds() == 25 * 3600


def test_next_reset():
    assert next_reset(utc("2026-03-08T12:00:00Z")) == utc("2026-03-09T07:00:00Z")
    assert next_reset(utc("2026-11-01T12:00:00Z")) == utc("2026-11-02T08:00:00Z")
    assert next_reset(utc("2026-11-02T07:59:59Z")) == utc("2026-11-02T08:00:00Z")


def test_cost_models():
    assert cost_of("videos.insert") == ("videos.insert", 1)
    assert cost_of("search.list") == ("search.list", 1)
    assert cost_of("videos.update") == ("default", 50)
    assert cost_of("captions.update") == ("default", 450)
    assert cost_of("videos.insert", "legacy") == ("default", 1600)


def test_ledger_refuses_past_the_limit_and_counts_refusals(tmp_path):
    store = Store(tmp_path / "q.db")
    project, _secret = create_project(store, {"limits": {"default": 100}}, now=0)
    ledger = QuotaLedger(store)
    day = utc("2026-06-01T12:00:00Z")

    ledger.charge(project, "videos.update", day)
    ledger.charge(project, "videos.update", day)
    with pytest.raises(ApiError) as caught:
        ledger.charge(project, "channels.list", day)

    assert caught.value.reason == "quotaExceeded" and caught.value.status == 403
    usage = ledger.usage(project, day)["buckets"]["default"]
    assert (usage["used"], usage["calls"], usage["quota_exceeded_answers"]) == (100, 2, 1)
    next_day = utc("2026-06-02T07:00:00Z")
    ledger.charge(project, "channels.list", next_day)
    assert ledger.usage(project, next_day)["buckets"]["default"]["used"] == 1
    assert ledger.usage(project, next_day)["resets_at"] == "2026-06-03T07:00:00Z"
