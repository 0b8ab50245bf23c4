"""Google's quota model as data: which bucket each method draws from, and what it costs.

Checked against Google's documentation in November 2026. Since June 2026
videos.insert and search.list have their own buckets of 100 calls a day; all
other methods share 10,000 units. Projects still on the older model (the
"legacy" preset) pay 1600 units of the shared bucket per videos.insert.
"""

from __future__ import annotations

from typing import Any

DEFAULT_BUCKET = "default"

# Units in the shared bucket, per call.
SHARED_COSTS: dict[str, int] = {
    "channels.list": 1,
    "videos.list": 1,
    "playlists.list": 1,
    "playlistItems.list": 1,
    "videoCategories.list": 1,
    "videos.update": 50,
    "videos.delete": 50,
    "thumbnails.set": 50,
    "playlists.insert": 50,
    "playlistItems.insert": 50,
    "captions.insert": 400,
    "captions.update": 450,
    "channels.update": 50,
}
# Methods not in the table cost at least this (every request costs at least 1).
MINIMUM_COST = 1

PRESETS: dict[str, dict[str, Any]] = {
    "current": {
        "buckets": {"default": 10_000, "videos.insert": 100, "search.list": 100},
        # Method -> (bucket, cost) for methods with a bucket of their own.
        "own_buckets": {"videos.insert": 1, "search.list": 1},
        # Percent of each bucket kept for finishing work already started.
        "reserve_percent": {"default": 2.0, "videos.insert": 0.0, "search.list": 0.0},
    },
    "legacy": {
        "buckets": {"default": 10_000},
        "own_buckets": {},
        "reserve_percent": {"default": 2.0},
        "extra_costs": {"videos.insert": 1600, "search.list": 100},
    },
}


def bucket_and_cost(method: str, policy: dict[str, Any]) -> tuple[str, int]:
    """Where a call is charged and how much, under a project's policy."""
    preset = PRESETS[policy.get("preset", "current")]
    own = {**preset.get("own_buckets", {}), **policy.get("own_buckets", {})}
    if method in own:
        return method, int(own[method])
    costs = {**SHARED_COSTS, **preset.get("extra_costs", {}), **policy.get("costs", {})}
    return DEFAULT_BUCKET, int(costs.get(method, MINIMUM_COST))


def bucket_limits(policy: dict[str, Any]) -> dict[str, int]:
    preset = PRESETS[policy.get("preset", "current")]
    return {**preset["buckets"], **{k: int(v) for k, v in policy.get("limits", {}).items()}}


def reserve_percent(policy: dict[str, Any], bucket: str) -> float:
    preset = PRESETS[policy.get("preset", "current")]
    merged = {**preset.get("reserve_percent", {}), **policy.get("reserve_percent", {})}
    return float(merged.get(bucket, 0.0))
