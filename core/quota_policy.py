"""A project's quota policy: what a valid one is, and how a change merges into one.

A policy is the JSON a Project keeps: its preset (Google's quota model), the limits it
overrides, the percent of each bucket kept back for finishing uploads, cost overrides.
`core/quota.py` reads the effective values; `core/projects.py` stores the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import InputError
from youtube import costs

# The most of a bucket that may be kept back for finishing uploads (as for
# TUBEFLEET_QUOTA_EMERGENCY_RESERVE_PERCENT).
MAX_RESERVE_PERCENT = 50.0


def validate_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """Refuse a policy that would make quota counting wrong; returns it normalized."""
    preset = policy.get("preset", "current")
    if preset not in costs.PRESETS:
        raise InputError("preset", f"must be one of {', '.join(costs.PRESETS)}, got {preset!r}")
    known = set(costs.PRESETS[preset]["buckets"])
    limits = {}
    for bucket, value in (policy.get("limits") or {}).items():
        if bucket not in known:
            raise InputError(
                "limits",
                f"the {preset} preset has no bucket {bucket!r} "
                f"(buckets: {', '.join(sorted(known))})",
            )
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InputError("limits", f"{bucket} limit must be a whole number") from None
        if number < 0 or number > 100_000_000:
            raise InputError("limits", f"{bucket} limit must be between 0 and 100,000,000")
        limits[bucket] = number
    normalized: dict[str, Any] = {"preset": preset}
    if limits:
        normalized["limits"] = limits
    reserves = {}
    for bucket, value in (policy.get("reserve_percent") or {}).items():
        if bucket not in known:
            raise InputError(
                "reserve",
                f"the {preset} preset has no bucket {bucket!r} "
                f"(buckets: {', '.join(sorted(known))})",
            )
        reserves[bucket] = _percent(bucket, value)
    if reserves:
        normalized["reserve_percent"] = reserves
    for key in ("costs", "own_buckets"):
        if policy.get(key):
            normalized[key] = dict(policy[key])
    return normalized


def _percent(bucket: str, value: Any) -> float:
    try:
        number = float(str(value).strip().removesuffix("%"))
    except ValueError:
        raise InputError(
            "reserve", f"{bucket} reserve must be a percentage, got {value!r}"
        ) from None
    if not 0 <= number <= MAX_RESERVE_PERCENT:
        raise InputError(
            "reserve",
            f"{bucket} reserve must be between 0 and {MAX_RESERVE_PERCENT:g} %, got {number:g}",
        )
    return number


def _whole(bucket: str, value: Any) -> int:
    text = str(value).strip().replace(",", "").replace("_", "")
    if not text.isdigit():
        raise InputError("limits", f"{bucket} limit must be a whole number, got {value!r}")
    return int(text)


def merge_policy(
    current: dict[str, Any] | None,
    *,
    preset: str | None = None,
    limits: Mapping[str, Any] | None = None,
    reserve_percent: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A project's quota policy with some settings changed, as the Settings page and
    `tubefleet project set` change it; returns the new policy, validated.

    - `preset` None keeps the current one. Choosing another preset starts from its own
      limits and drops limits and reserves for buckets it does not have.
    - `limits` (bucket -> whole number, strings accepted) replace those buckets' limits;
      a limit equal to the preset's default is not stored, so the project follows the
      preset. Buckets not named keep their current limits.
    - `reserve_percent` (bucket -> percent of the bucket kept for finishing uploads
      already started) replaces those buckets' reserves.
    Anything else in the policy (cost overrides) is kept. An unknown bucket or a value
    that is not a number raises InputError naming the valid buckets.
    """
    policy = dict(current or {})
    old_preset = policy.get("preset", "current")
    new_preset = preset or old_preset
    if new_preset not in costs.PRESETS:
        raise InputError("preset", f"must be one of {', '.join(costs.PRESETS)}, got {new_preset!r}")
    defaults: dict[str, int] = costs.PRESETS[new_preset]["buckets"]
    buckets = ", ".join(defaults)

    def check(field: str, bucket: str) -> None:
        if bucket not in defaults:
            raise InputError(
                field, f"the {new_preset} preset has no bucket {bucket!r} (buckets: {buckets})"
            )

    merged_limits = {
        b: int(v)
        for b, v in (policy.get("limits") or {}).items()
        if b in defaults and new_preset == old_preset
    }
    for bucket, value in (limits or {}).items():
        check("limits", bucket)
        merged_limits[bucket] = _whole(bucket, value)
    merged_reserves = {
        b: v for b, v in (policy.get("reserve_percent") or {}).items() if b in defaults
    }
    for bucket, value in (reserve_percent or {}).items():
        check("reserve", bucket)
        merged_reserves[bucket] = _percent(bucket, value)

    merged = {k: v for k, v in policy.items() if k not in ("preset", "limits", "reserve_percent")}
    merged["preset"] = new_preset
    kept = {b: n for b, n in merged_limits.items() if n != defaults[b]}
    if kept:
        merged["limits"] = kept
    if merged_reserves:
        merged["reserve_percent"] = merged_reserves
    return validate_policy(merged)
