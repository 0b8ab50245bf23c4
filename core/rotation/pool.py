"""Growing the active pool: reserve channels move to active when the active channels
cannot cover the uploads queued for the next day.

It reads outside any write transaction and writes only when a reserve is activated, in a
short one that activates a channel only if it is still a reserve.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from core import audit, clock, db
from core.rotation.inputs import PoolSnapshot, snapshot
from core.rotation.ranking import candidates
from core.rotation.scoring import Candidate
from models import Channel, ChannelState, TargetKind, UploadJob, UploadState, unfinished_jobs
from models.base import table_of

log = logging.getLogger("tubefleet.rotation")

DEMAND_STATES = [
    UploadState.QUEUED,
    UploadState.SCHEDULED,
    UploadState.WAITING_CHANNEL,
    UploadState.WAITING_QUOTA,
]


def queued_demand(session: Session, *, hours: float = 24) -> int:
    """Jobs rotation will have to place within `hours` (auto or group targets)."""
    horizon = clock.now() + timedelta(hours=hours)
    return int(
        session.exec(
            select(func.count())
            .select_from(UploadJob)
            .where(
                # The unfinished-jobs condition as the partial index spells it, so that
                # SQLite counts from that index (a few thousand rows) too.
                unfinished_jobs(),
                col(UploadJob.state).in_(DEMAND_STATES),
                col(UploadJob.target_kind).in_([TargetKind.AUTO, TargetKind.GROUP]),
                UploadJob.scheduled_for <= horizon,
            )
        ).one()
    )


def _spare(c: Candidate, snap: PoolSnapshot) -> int:
    return max(0, c.channel.daily_upload_cap - snap.uploads_today.get(c.channel.id or 0, 0))


def to_activate(
    active: Iterable[Candidate], reserves: Iterable[Candidate], snap: PoolSnapshot, demand: int
) -> list[Candidate]:
    """The reserves (best first) that bring capacity up to `demand`, if the eligible
    active channels' spare uploads today fall short of it."""
    capacity = sum(_spare(c, snap) for c in active if c.eligible)
    chosen: list[Candidate] = []
    for c in reserves:
        if capacity >= demand:
            break
        if c.eligible and c.channel.id is not None:
            chosen.append(c)
            capacity += _spare(c, snap)
    return chosen


def activate(chosen: Iterable[Candidate], demand: int) -> list[str]:
    """Make these reserves active (each only if it still is a reserve); their titles."""
    table = table_of(Channel)
    activated = []
    with db.session() as s:
        for c in chosen:
            moved = s.execute(
                update(table)
                .where(table.c.id == c.channel.id, table.c.state == ChannelState.RESERVE.value)
                .values(state=ChannelState.ACTIVE.value)
            )
            if not moved.rowcount:  # type: ignore[attr-defined]  # changed meanwhile
                continue
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


def activate_reserves() -> list[str]:
    """Move reserve channels to active when the active pool cannot cover queued demand."""
    with db.read_session() as s:
        snap = snapshot(s, channel_ids=())
        demand = queued_demand(s)
        active = candidates(s, snap=snap)
        if demand <= sum(_spare(c, snap) for c in active if c.eligible):
            return []
        reserves = candidates(s, states=(ChannelState.RESERVE,), snap=snap)
        chosen = to_activate(active, reserves, snap, demand)
    return activate(chosen, demand) if chosen else []
