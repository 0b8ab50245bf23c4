"""Picking a channel for a job: every usable channel ranked best first, and rotation's
answer for one job: the healthiest eligible channel, or what the job waits for and until
when.

When no channel is eligible, `choose` says what the job waits for: a channel (none in
the pool, or every one resting, capped or broken) or the quota reset (the only thing
keeping otherwise usable channels out is their projects' used-up upload buckets), and
until when. The runner turns that into `waiting_channel` or `waiting_quota`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from core import clock
from core.rotation.inputs import PoolSnapshot, channel_facts, snapshot
from core.rotation.scoring import Candidate, Wait, evaluate, weights
from models import Channel, ChannelState


@dataclass
class Choice:
    """Rotation's answer for one job: a channel, or what to wait for and until when."""

    channel: Channel | None
    waits_for: Wait | None = None
    until: datetime | None = None  # None: nothing frees up by itself (check again later)
    why: str = ""


def assess(session: Session, channel: Channel) -> Candidate:
    """One channel's score and whether it can take an upload now."""
    return evaluate(channel, snapshot(session, channel_ids=[channel.id or 0]), weights())


def candidates(
    session: Session,
    *,
    group: str = "",
    exclude_projects: set[int] | None = None,
    exclude_channels: set[int] | None = None,
    states: tuple[ChannelState, ...] = (ChannelState.ACTIVE,),
    snap: PoolSnapshot | None = None,
) -> list[Candidate]:
    """Channels that could take a job, best first (eligible before ineligible), as the
    few columns scoring reads (ChannelFacts).

    `exclude_projects` refused the job for quota and `exclude_channels` refused it
    themselves: their channels stay in the list as ineligible, saying why and until
    when, so that a caller can tell "no channel" from "no quota".
    """
    snap = snap or snapshot(session, channel_ids=())
    found_channels = channel_facts(session, states=states, group=group)
    snap.learn(found_channels)
    if exclude_projects or exclude_channels:
        resets = clock.next_pacific_midnight(snap.now)
        snap = replace(
            snap,
            quota_blocked={**{p: resets for p in exclude_projects or ()}, **snap.quota_blocked},
            refused=snap.refused | set(exclude_channels or ()),
        )
    w = weights()
    return best_first(evaluate(channel, snap, w) for channel in found_channels)


def best_first(found: Iterable[Candidate]) -> list[Candidate]:
    """Eligible before ineligible, then the highest score, then the oldest channel."""
    return sorted(found, key=lambda c: (not c.eligible, -c.score, c.channel.id or 0))


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
        chosen = session.get(Channel, found[0].channel.id)
        if chosen is not None:  # else it was deleted a moment ago: the job waits a little
            return Choice(chosen)
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
