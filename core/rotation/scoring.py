"""A channel's health score and whether it can take an upload now, from a snapshot of
the pool (pure: no database).

A score is a weighted sum of components in [0, 1]:
- quota: the smallest remaining share of the project's upload buckets today;
- success: recent upload success rate (smoothed, so one failure is not a verdict);
- idle: hours since the channel's last upload, up to a day (spreads uploads out);
- age: channel age up to a year (older channels are trusted more);
- errors: 1 / (1 + consecutive failures).
Eligibility is a hard filter, not a score: state, rest, daily cap, quota and token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core import clock
from core.rotation.inputs import ChannelFacts, PoolSnapshot
from core.settings import get_settings
from models import Channel, ChannelState

DEFAULT_WEIGHTS = {"quota": 0.35, "success": 0.25, "idle": 0.15, "age": 0.10, "errors": 0.15}


def weights() -> dict[str, float]:
    """Weights from TUBEFLEET_ROTATION_WEIGHTS ("quota=0.4,success=0.3,..."), else defaults."""
    raw = get_settings().rotation_weights.strip()
    if not raw:
        return dict(DEFAULT_WEIGHTS)
    parsed = dict(DEFAULT_WEIGHTS)
    for part in raw.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in DEFAULT_WEIGHTS:
            raise ValueError(
                f"TUBEFLEET_ROTATION_WEIGHTS: unknown component {name!r} "
                f"(known: {', '.join(DEFAULT_WEIGHTS)})"
            )
        parsed[name] = float(value)
    return parsed


class Wait(StrEnum):
    """What a job that no channel can take now is waiting for."""

    CHANNEL = "channel"  # a channel: none in the pool, or each resting, capped or broken
    QUOTA = "quota"  # the upload quota reset of the projects whose channels could take it


@dataclass
class Candidate:
    channel: Channel | ChannelFacts
    score: float
    breakdown: dict[str, float]
    eligible: bool
    why_not: str = ""
    available_at: datetime | None = None  # when an ineligible channel may become usable
    # What keeps it out until available_at: the quota reset, or something of the channel.
    waits_for: Wait | None = None


def evaluate(channel: Channel | ChannelFacts, snap: PoolSnapshot, w: dict[str, float]) -> Candidate:
    cid = channel.id or 0
    ok, bad = snap.success.get(cid, (0, 0))
    last = snap.last_upload.get(cid)
    idle_hours = (snap.now - last).total_seconds() / 3600 if last else 24.0
    age_days = (snap.now - clock.as_utc(channel.published_at)).days if channel.published_at else 0
    breakdown = {
        "quota": round(snap.headroom.get(channel.project_id, 0.0), 4),
        "success": round((ok + 1) / (ok + bad + 2), 4),
        "idle": round(min(max(idle_hours, 0.0) / 24, 1.0), 4),
        "age": round(min(max(age_days, 0) / 365, 1.0), 4),
        "errors": round(1 / (1 + channel.error_streak), 4),
    }
    total = sum(w.values()) or 1.0
    score = sum(w[k] * breakdown[k] for k in breakdown) / total
    blockers = _blockers(channel, snap)
    if not blockers:
        return Candidate(channel, round(score, 4), breakdown, True)
    why_not = "; ".join(why for _, why, _ in blockers)
    if any(until is None for _, _, until in blockers):
        return Candidate(channel, round(score, 4), breakdown, False, why_not, None, Wait.CHANNEL)
    # Usable once the last blocker lifts; a tie with the quota reset counts as quota.
    available = max(until for _, _, until in blockers if until is not None)
    waits_for = (
        Wait.QUOTA
        if any(kind == Wait.QUOTA and until == available for kind, _, until in blockers)
        else Wait.CHANNEL
    )
    return Candidate(channel, round(score, 4), breakdown, False, why_not, available, waits_for)


def _blockers(
    channel: Channel | ChannelFacts, snap: PoolSnapshot
) -> list[tuple[Wait, str, datetime | None]]:
    """Every reason the channel cannot upload now, each with when it lifts (None: needs a
    person)."""
    cid = channel.id or 0
    blockers: list[tuple[Wait, str, datetime | None]] = []
    state = ChannelState(channel.state)
    resting = channel.resting_until and clock.as_utc(channel.resting_until) > snap.now
    if not state.uploads_allowed:
        blockers.append((Wait.CHANNEL, f"state {state.value}", None))
    if resting:
        blockers.append(
            (
                Wait.CHANNEL,
                f"resting: {channel.rest_reason or 'recent failures'}",
                clock.as_utc(channel.resting_until),  # type: ignore[arg-type]
            )
        )
    if snap.uploads_today.get(cid, 0) >= channel.daily_upload_cap:
        blockers.append(
            (
                Wait.CHANNEL,
                f"daily upload cap reached ({channel.daily_upload_cap})",
                clock.next_pacific_midnight(snap.now),
            )
        )
    if channel.project_id in snap.quota_blocked:
        blockers.append(
            (
                Wait.QUOTA,
                "project's upload quota used up today",
                snap.quota_blocked[channel.project_id],
            )
        )
    if not channel.refresh_token_enc:
        blockers.append((Wait.CHANNEL, "no token", None))
    elif channel.last_error.startswith("token refresh failed") and (
        channel.token_expires_at is None or clock.as_utc(channel.token_expires_at) <= snap.now
    ):
        blockers.append((Wait.CHANNEL, "its token has expired and cannot be refreshed", None))
    if cid in snap.refused and not blockers:
        blockers.append((Wait.CHANNEL, "it refused this job a moment ago", None))
    return blockers
