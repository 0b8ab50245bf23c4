"""Rotation: score each channel's health, pick the healthiest eligible one for a job,
rest channels that keep failing, and bring reserve channels in when demand needs them.

A score is a weighted sum of components in [0, 1]:
- quota: the smallest remaining share of the project's upload buckets today;
- success: recent upload success rate (smoothed, so one failure is not a verdict);
- idle: hours since the channel's last upload, up to a day (spreads uploads out);
- age: channel age up to a year (older channels are trusted more);
- errors: 1 / (1 + consecutive failures).
Eligibility is a hard filter, not a score: state, rest, daily cap, quota and token.

When no channel is eligible, `choose` says what the job waits for: a channel (none in
the pool, or every one resting, capped or broken) or the quota reset (the only thing
keeping otherwise usable channels out is their projects' used-up upload buckets), and
until when. The runner turns that into `waiting_channel` or `waiting_quota`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import audit, clock, db, quota
from core.settings import get_settings
from core.uploads.slots import uploads_today_by_channel
from models import Channel, ChannelState, Project, TargetKind, UploadJob, UploadState
from models.quota import QuotaUsage
from youtube import costs

log = logging.getLogger("tubefleet.rotation")

DEFAULT_WEIGHTS = {"quota": 0.35, "success": 0.25, "idle": 0.15, "age": 0.10, "errors": 0.15}
CIRCUIT_BREAKER_FAILURES = 3
CIRCUIT_BREAKER_REST = timedelta(hours=1)
RECENT_JOBS = 20
UPLOAD_BUCKETS = ("videos.insert", "default")


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
    channel: Channel
    score: float
    breakdown: dict[str, float]
    eligible: bool
    why_not: str = ""
    available_at: datetime | None = None  # when an ineligible channel may become usable
    # What keeps it out until available_at: the quota reset, or something of the channel.
    waits_for: Wait | None = None


@dataclass
class Choice:
    """Rotation's answer for one job: a channel, or what to wait for and until when."""

    channel: Channel | None
    waits_for: Wait | None = None
    until: datetime | None = None  # None: nothing frees up by itself (check again later)
    why: str = ""


@dataclass
class PoolSnapshot:
    """Everything scoring needs, read once."""

    now: datetime
    uploads_today: dict[int, int]
    headroom: dict[int, float]  # project id -> smallest remaining share of upload buckets
    quota_blocked: dict[int, datetime]  # project id -> when its upload quota resets
    success: dict[int, tuple[int, int]]  # channel id -> (published, failed)
    last_upload: dict[int, datetime]
    projects: dict[int, Project] = field(default_factory=dict)
    refused: set[int] = field(default_factory=set)  # channels that refused the job at hand


def snapshot(session: Session) -> PoolSnapshot:
    now = clock.now()
    day = clock.pacific_day(now)
    resets = clock.next_pacific_midnight(now)
    projects = {p.id: p for p in session.exec(select(Project)).all() if p.id is not None}
    usage = {
        (u.project_id, u.bucket): u
        for u in session.exec(select(QuotaUsage).where(QuotaUsage.day == day)).all()
    }
    headroom: dict[int, float] = {}
    blocked: dict[int, datetime] = {}
    for pid, project in projects.items():
        policy = quota.policy_of(project)
        limits = costs.bucket_limits(policy)
        insert_bucket, insert_cost = costs.bucket_and_cost("videos.insert", policy)
        shares = []
        for bucket in UPLOAD_BUCKETS:
            if bucket not in limits or limits[bucket] <= 0:
                continue
            row = usage.get((pid, bucket))
            used = row.used if row else 0
            if row is not None and row.exhausted_at is not None:
                used = limits[bucket]
            shares.append(max(0.0, 1 - used / limits[bucket]))
            # The same ceiling the reservation applies to a new upload (limit - reserve).
            top = quota.ceiling(
                limits[bucket], quota.reserve_percent(policy, bucket), quota.Priority.UPLOAD
            )
            if bucket == insert_bucket and used + insert_cost > top:
                blocked[pid] = resets
        headroom[pid] = min(shares) if shares else 0.0
    finished = session.exec(
        select(UploadJob.channel_id, UploadJob.state, UploadJob.last_error)
        .where(
            col(UploadJob.state).in_([UploadState.PUBLISHED, UploadState.FAILED]),
            col(UploadJob.channel_id).is_not(None),
        )
        .order_by(col(UploadJob.finished_at).desc())
        .limit(5000)
    ).all()
    success: dict[int, tuple[int, int]] = {}
    for channel_id, state, _ in finished:
        if channel_id is None:  # excluded by the query; this tells the type checker
            continue
        ok, bad = success.get(channel_id, (0, 0))
        if sum((ok, bad)) >= RECENT_JOBS:
            continue
        success[channel_id] = (
            ok + (state == UploadState.PUBLISHED),
            bad + (state == UploadState.FAILED),
        )
    last = dict(
        session.exec(
            select(UploadJob.channel_id, func.max(UploadJob.started_at))
            .where(col(UploadJob.channel_id).is_not(None), col(UploadJob.started_at).is_not(None))
            .group_by(col(UploadJob.channel_id))
        ).all()
    )
    return PoolSnapshot(
        now=now,
        uploads_today=uploads_today_by_channel(session=session),
        headroom=headroom,
        quota_blocked=blocked,
        success=success,
        last_upload={k: clock.as_utc(v) for k, v in last.items() if k is not None and v},
        projects=projects,
    )


def evaluate(channel: Channel, snap: PoolSnapshot, w: dict[str, float]) -> Candidate:
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
    # Every reason it cannot upload now, each with when it lifts (None: needs a person).
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


def assess(session: Session, channel: Channel) -> Candidate:
    """One channel's score and whether it can take an upload now."""
    return evaluate(channel, snapshot(session), weights())


def candidates(
    session: Session,
    *,
    group: str = "",
    exclude_projects: set[int] | None = None,
    exclude_channels: set[int] | None = None,
    states: tuple[ChannelState, ...] = (ChannelState.ACTIVE,),
    snap: PoolSnapshot | None = None,
) -> list[Candidate]:
    """Channels that could take a job, best first (eligible before ineligible).

    `exclude_projects` refused the job for quota and `exclude_channels` refused it
    themselves: their channels stay in the list as ineligible, saying why and until
    when, so that a caller can tell "no channel" from "no quota".
    """
    snap = snap or snapshot(session)
    if exclude_projects or exclude_channels:
        resets = clock.next_pacific_midnight(snap.now)
        snap = replace(
            snap,
            quota_blocked={**{p: resets for p in exclude_projects or ()}, **snap.quota_blocked},
            refused=snap.refused | set(exclude_channels or ()),
        )
    w = weights()
    query = select(Channel).where(col(Channel.state).in_(states))
    if group:
        query = query.where(Channel.group_name == group)
    found = [evaluate(channel, snap, w) for channel in session.exec(query).all()]
    found.sort(key=lambda c: (not c.eligible, -c.score, c.channel.id or 0))
    return found


def choose(
    session: Session,
    *,
    group: str = "",
    exclude_projects: set[int] | None = None,
    exclude_channels: set[int] | None = None,
) -> Choice:
    """The healthiest eligible channel; else what the job waits for, and until when.

    It waits for the quota when the channels that free up soonest are kept out only by
    their projects' upload quota (until the earliest reset); for a channel when there is
    none in the pool, or when one's rest, daily cap or token is what frees up first.
    """
    found = candidates(
        session, group=group, exclude_projects=exclude_projects, exclude_channels=exclude_channels
    )
    if found and found[0].eligible:
        return Choice(found[0].channel)
    if not found:
        where = f"group {group!r}" if group else "the pool"
        return Choice(None, Wait.CHANNEL, None, f"no active channel in {where}")
    why = "; ".join(sorted({c.why_not for c in found}))
    timed = [c for c in found if c.available_at is not None]
    if not timed:
        return Choice(None, Wait.CHANNEL, None, why)
    soonest = min(c.available_at for c in timed if c.available_at is not None)
    first = [c for c in timed if c.available_at == soonest]
    waits_for = Wait.QUOTA if all(c.waits_for == Wait.QUOTA for c in first) else Wait.CHANNEL
    return Choice(None, waits_for, soonest, why)


def pick(
    session: Session,
    *,
    group: str = "",
    exclude_projects: set[int] | None = None,
    exclude_channels: set[int] | None = None,
) -> tuple[Channel | None, datetime | None, str]:
    """The healthiest eligible channel, or (None, when one may free up, why not)."""
    choice = choose(
        session, group=group, exclude_projects=exclude_projects, exclude_channels=exclude_channels
    )
    return choice.channel, choice.until, choice.why


def record_outcome(session: Session, channel_id: int, *, success: bool, reason: str = "") -> None:
    """Update a channel's error streak; rest it when the circuit breaker trips."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        return
    if success:
        channel.error_streak = 0
    else:
        channel.error_streak += 1
        if channel.error_streak >= CIRCUIT_BREAKER_FAILURES:
            channel.resting_until = clock.now() + CIRCUIT_BREAKER_REST
            channel.rest_reason = f"{channel.error_streak} failures in a row (last: {reason[:120]})"
            audit.record(
                session=session,
                actor="system",
                action="channel.rest",
                target=channel.title,
                detail=channel.rest_reason,
            )
    session.add(channel)


def rest_channel(session: Session, channel_id: int, *, hours: float, reason: str) -> None:
    channel = session.get(Channel, channel_id)
    if channel is None:
        return
    channel.resting_until = clock.now() + timedelta(hours=hours)
    channel.rest_reason = reason[:200]
    session.add(channel)
    audit.record(
        session=session, actor="system", action="channel.rest", target=channel.title, detail=reason
    )


def refresh_scores() -> dict[str, Any]:
    """The periodic job: activate reserves if needed, then store every channel's score."""
    activated = activate_reserves()
    with db.session() as s:
        snap = snapshot(s)
        w = weights()
        for channel in s.exec(select(Channel)).all():
            c = evaluate(channel, snap, w)
            channel.health_score = c.score
            channel.score_breakdown = {**c.breakdown, "eligible": c.eligible, "why_not": c.why_not}
            channel.score_updated_at = snap.now
            s.add(channel)
    return {"activated": activated}


def activate_reserves() -> list[str]:
    """Move reserve channels to active when the active pool cannot cover queued demand."""
    horizon = clock.now() + timedelta(hours=24)
    with db.session() as s:
        snap = snapshot(s)
        demand = s.exec(
            select(func.count())
            .select_from(UploadJob)
            .where(
                col(UploadJob.target_kind).in_([TargetKind.AUTO, TargetKind.GROUP]),
                col(UploadJob.state).in_(
                    [
                        UploadState.QUEUED,
                        UploadState.SCHEDULED,
                        UploadState.WAITING_CHANNEL,
                        UploadState.WAITING_QUOTA,
                    ]
                ),
                UploadJob.scheduled_for <= horizon,
            )
        ).one()
        active = [c for c in candidates(s, snap=snap) if c.eligible]
        capacity = sum(
            max(0, c.channel.daily_upload_cap - snap.uploads_today.get(c.channel.id or 0, 0))
            for c in active
        )
        if demand <= capacity:
            return []
        reserves = [
            c for c in candidates(s, states=(ChannelState.RESERVE,), snap=snap) if c.eligible
        ]
        activated = []
        for c in reserves:
            if capacity >= demand:
                break
            c.channel.state = ChannelState.ACTIVE
            s.add(c.channel)
            capacity += max(
                0, c.channel.daily_upload_cap - snap.uploads_today.get(c.channel.id or 0, 0)
            )
            activated.append(c.channel.title)
            audit.record(
                session=s,
                actor="system",
                action="channel.activated",
                target=c.channel.title,
                detail=f"queued demand {demand} exceeded active capacity",
            )
    if activated:
        log.info("activated reserve channels: %s", ", ".join(activated))
    return activated
