"""Google's cost table as data, per-project policies, and reservation ceilings."""

from __future__ import annotations

import pytest

from core.quota import Priority, ceiling
from youtube import costs


def test_current_model_gives_inserts_and_searches_their_own_buckets() -> None:
    policy = {"preset": "current"}
    assert costs.bucket_and_cost("videos.insert", policy) == ("videos.insert", 1)
    assert costs.bucket_and_cost("search.list", policy) == ("search.list", 1)
    assert costs.bucket_and_cost("thumbnails.set", policy) == ("default", 50)
    assert costs.bucket_and_cost("captions.update", policy) == ("default", 450)
    assert costs.bucket_and_cost("some.newMethod", policy) == ("default", 1)  # at least 1
    assert costs.bucket_limits(policy) == {
        "default": 10_000,
        "videos.insert": 100,
        "search.list": 100,
    }


def test_legacy_model_charges_1600_units_per_upload_from_the_shared_bucket() -> None:
    policy = {"preset": "legacy"}
    assert costs.bucket_and_cost("videos.insert", policy) == ("default", 1600)
    assert costs.bucket_limits(policy) == {"default": 10_000}


def test_raised_limits_and_cost_overrides_are_data() -> None:
    policy = {"preset": "current", "limits": {"videos.insert": 500}, "costs": {"videos.update": 30}}
    assert costs.bucket_limits(policy)["videos.insert"] == 500
    assert costs.bucket_and_cost("videos.update", policy) == ("default", 30)


@pytest.mark.parametrize(
    ("limit", "reserve", "priority", "expected"),
    [
        (10_000, 2.0, Priority.FINISH, 10_000),
        (10_000, 2.0, Priority.UPLOAD, 9_800),
        (10_000, 2.0, Priority.BACKGROUND, 9_000),
        (100, 0.0, Priority.UPLOAD, 100),
        (100, 0.0, Priority.BACKGROUND, 90),
        (3, 0.0, Priority.UPLOAD, 3),
        (10, 50.0, Priority.BACKGROUND, 5),
    ],
)
def test_ceilings_by_priority(
    limit: int, reserve: float, priority: Priority, expected: int
) -> None:
    assert ceiling(limit, reserve, priority) == expected
