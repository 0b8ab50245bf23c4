"""The audience model: seeded, zero until public, saturating, and windows that add up."""

from __future__ import annotations

import pytest

from sandbox.stats_model import (
    Counts,
    counts_at,
    counts_between,
    curve_for,
    three_significant,
    views_at,
)

DAY = 86400.0
PUBLIC = 1_800_000_000.0


def test_a_curve_depends_only_on_seed_and_video_id() -> None:
    assert curve_for("s1", "vid") == curve_for("s1", "vid")
    assert curve_for("s1", "vid") != curve_for("s2", "vid")
    assert curve_for("s1", "vid") != curve_for("s1", "other")


def test_no_views_before_going_public_or_when_never_public() -> None:
    curve = curve_for("seed", "v1")
    assert views_at(curve, PUBLIC, PUBLIC - 1) == 0
    assert views_at(curve, PUBLIC, PUBLIC) == 0
    assert counts_at(curve, None, PUBLIC + 30 * DAY) == Counts()


def test_views_grow_then_saturate_below_the_ceiling() -> None:
    curve = curve_for("seed", "v2")
    series = [views_at(curve, PUBLIC, PUBLIC + hour * 3600) for hour in range(0, 24 * 60, 7)]
    assert series == sorted(series)  # never goes down
    assert series[-1] < curve.ceiling
    assert views_at(curve, PUBLIC, PUBLIC + curve.half_life) == int(curve.ceiling * 0.5)
    assert views_at(curve, PUBLIC, PUBLIC + 30 * curve.half_life) >= curve.ceiling - 1


def test_rates_follow_views() -> None:
    curve = curve_for("seed", "v3")
    counts = counts_at(curve, PUBLIC, PUBLIC + 5 * DAY)
    assert counts.views > 0
    assert counts.likes == counts.views * curve.likes_per_mille // 1000
    assert counts.watch_seconds == counts.views * curve.view_seconds
    assert counts.average_view_duration == curve.view_seconds
    assert counts.subscribers_lost <= counts.subscribers_gained


@pytest.mark.parametrize("video_id", ["a", "b", "c"])
def test_daily_windows_add_up_to_the_total(video_id: str) -> None:
    curve = curve_for("seed", video_id)
    start = PUBLIC - 0.4 * DAY  # the first day starts before the video went public
    days = [counts_between(curve, PUBLIC, start + i * DAY, start + (i + 1) * DAY) for i in range(9)]
    total = sum(days, Counts())
    assert total == counts_at(curve, PUBLIC, start + 9 * DAY)


def test_an_empty_window_has_no_counts() -> None:
    assert counts_between(curve_for("s", "v"), PUBLIC, PUBLIC + DAY, PUBLIC + DAY) == Counts()


def test_no_views_means_no_average_duration() -> None:
    assert Counts().average_view_duration == 0


@pytest.mark.parametrize(
    ("exact", "shown"),
    [(0, 0), (999, 999), (1000, 1000), (1234, 1230), (123_456, 123_000), (9_999_999, 9_990_000)],
)
def test_subscriber_counts_are_rounded_down_to_three_significant_figures(
    exact: int, shown: int
) -> None:
    assert three_significant(exact) == shown
