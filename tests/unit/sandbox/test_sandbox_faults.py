"""Fault rules: which request they hit (nth matching), how often (count), filters."""

from __future__ import annotations

import pytest

from sandbox.faults import FaultBook, FaultError


def test_nth_and_count():
    book = FaultBook()
    book.add(
        {
            "action": "status",
            "status": 503,
            "match": {"method": "upload_chunk", "nth": 2},
            "count": 2,
        }
    )
    fired = [book.take("upload_chunk", "c", "ch")[1] is not None for _ in range(5)]
    assert fired == [False, True, True, False, False]
    assert book.list()[0].reason == "backendError" and book.list()[0].exhausted


def test_filters_and_latency_add_up():
    book = FaultBook()
    book.add({"action": "latency", "latency_ms": 20, "count": 5})
    book.add({"action": "latency", "latency_ms": 30, "match": {"client_id": "a"}})
    book.add({"action": "drop", "after_bytes": 10, "match": {"channel_id": "UC1"}})
    assert book.take("videos.list", "b", "UC2") == (20, None)
    latency, effect = book.take("videos.list", "a", "UC1")
    assert latency == 50 and effect is not None and effect.action == "drop"


def test_oldest_due_rule_fires_first_and_the_other_waits():
    book = FaultBook()
    first = book.add({"action": "status", "status": 429})
    second = book.add({"action": "auth_401"})
    assert book.take("videos.insert", None, None)[1] is first
    assert book.take("videos.insert", None, None)[1] is second


@pytest.mark.parametrize(
    "spec",
    [
        {"action": "explode"},
        {"action": "status"},
        {"action": "status", "status": 200},
        {"action": "latency"},
        {"action": "status", "status": 503, "count": 0},
    ],
)
def test_invalid_rules(spec):
    with pytest.raises(FaultError):
        FaultBook().add(spec)
