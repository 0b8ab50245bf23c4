"""The periodic rescoring: bring reserves in if needed, then store every channel's score
and why it is (not) eligible, as the Channels page shows them.

The pool is read once and scored outside any write transaction; reserves are activated
and the scores written in short transactions of a few hundred channels, so an upload's
write never waits behind it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update

from core import db
from core.rotation.inputs import channel_facts, snapshot
from core.rotation.pool import activate, queued_demand, to_activate
from core.rotation.ranking import best_first
from core.rotation.scoring import evaluate, weights
from models import Channel, ChannelState
from models.base import table_of

WRITE_BATCH = 250


def refresh_scores() -> dict[str, Any]:
    """The periodic job: activate reserves if needed, then store every channel's score."""
    with db.read_session() as s:
        channels = channel_facts(s)
        snap = snapshot(s, channel_ids=())
        snap.learn(channels)
        demand = queued_demand(s)
    w = weights()
    scored = [evaluate(channel, snap, w) for channel in channels]
    active = best_first(c for c in scored if c.channel.state == ChannelState.ACTIVE)
    reserves = best_first(c for c in scored if c.channel.state == ChannelState.RESERVE)
    chosen = to_activate(active, reserves, snap, demand)
    activated = activate(chosen, demand) if chosen else []
    scores = [
        {
            "channel_id": c.channel.id,
            "score": c.score,
            "breakdown": {**c.breakdown, "eligible": c.eligible, "why_not": c.why_not},
            "at": snap.now,
        }
        for c in scored
    ]
    table = table_of(Channel)
    write = (
        update(table)
        .where(table.c.id == bindparam("channel_id"))
        .values(
            health_score=bindparam("score"),
            score_breakdown=bindparam("breakdown", type_=table.c.score_breakdown.type),
            score_updated_at=bindparam("at", type_=table.c.score_updated_at.type),
        )
    )
    for start in range(0, len(scores), WRITE_BATCH):
        with db.session() as s:
            s.connection().execute(write, scores[start : start + WRITE_BATCH])
    return {"activated": activated}
