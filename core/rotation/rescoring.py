"""The periodic rescoring: bring reserves in if needed, then store every channel's score
and why it is (not) eligible, as the Channels page shows them.

The pool is read once and scored outside any write transaction; reserves are activated
and the scores written in short transactions of a few hundred channels, so an upload's
write never waits behind it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text, update

from core import db
from core.rotation.inputs import channel_facts, snapshot
from core.rotation.pool import activate, queued_demand, to_activate
from core.rotation.ranking import best_first
from core.rotation.scoring import evaluate, weights
from models import Channel, ChannelState
from models.base import table_of

WRITE_BATCH = 250
_PG_STORE = text(
    "UPDATE channels SET health_score = s.score, score_breakdown = s.breakdown::json, "
    "score_updated_at = :at "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:scores AS double precision[]), "
    "CAST(:breakdowns AS text[])) AS s(id, score, breakdown) WHERE channels.id = s.id"
)


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
        (c.channel.id, c.score, {**c.breakdown, "eligible": c.eligible, "why_not": c.why_not})
        for c in scored
    ]
    for start in range(0, len(scores), WRITE_BATCH):
        with db.session() as s:
            _store(s.connection(), scores[start : start + WRITE_BATCH], snap.now)
    return {"activated": activated}


def _store(conn: Connection, scores: list[tuple[Any, ...]], at: datetime) -> None:
    """Write a batch of (channel id, score, breakdown). On PostgreSQL one UPDATE from three
    arrays per batch (a statement per row cost ~0.1 ms each, 230 ms at 2,000 channels); on
    SQLite, in-process, one prepared UPDATE run per row is as fast."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            _PG_STORE,
            {
                "ids": [i for i, _, _ in scores],
                "scores": [score for _, score, _ in scores],
                "breakdowns": [json.dumps(b) for _, _, b in scores],
                "at": at,
            },
        )
        return
    table = table_of(Channel)
    conn.execute(
        update(table)
        .where(table.c.id == bindparam("channel_id"))
        .values(
            health_score=bindparam("score"),
            score_breakdown=bindparam("breakdown", type_=table.c.score_breakdown.type),
            score_updated_at=at,
        ),
        [{"channel_id": i, "score": score, "breakdown": b} for i, score, b in scores],
    )
