"""Growing the active pool: reserve channels move to active when the active channels
cannot cover the uploads queued for the next day.

It reads outside any write transaction and writes only when a reserve is activated, in a
short one that activates a channel only if it is still a reserve.
"""

from __future__ import annotations

import logging
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


def activate_reserves() -> list[str]:
    """Move reserve channels to active when the active pool cannot cover queued demand."""
    with db.read_session() as s:
        snap = snapshot(s)
        demand = queued_demand(s)
        capacity = sum(_spare(c, snap) for c in candidates(s, snap=snap) if c.eligible)
        if demand <= capacity:
            return []
        chosen: list[tuple[int, str]] = []
        for c in candidates(s, states=(ChannelState.RESERVE,), snap=snap):
            if capacity >= demand:
                break
            if c.eligible and c.channel.id is not None:
                chosen.append((c.channel.id, c.channel.title))
                capacity += _spare(c, snap)
    activated = []
    channels = table_of(Channel)
    with db.session() as s:
        for channel_id, title in chosen:
            moved = s.execute(
                update(channels)
                .where(channels.c.id == channel_id, channels.c.state == ChannelState.RESERVE.value)
                .values(state=ChannelState.ACTIVE.value)
            )
            if not moved.rowcount:  # type: ignore[attr-defined]  # changed meanwhile
                continue
            activated.append(title)
            audit.record(
                session=s,
                actor="system",
                action="channel.activated",
                target=title,
                detail=f"queued demand {demand} exceeded active capacity",
            )
    if activated:
        log.info("activated reserve channels: %s", ", ".join(activated))
    return activated
