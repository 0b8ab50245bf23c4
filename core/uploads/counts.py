"""The queue's count of jobs by state, without counting a million jobs every few seconds.

Every state change writes a history line (lifecycle.transition, fencing.move, enqueue), so
the newest history lines tell whether any count can have moved: the count is taken again
only when they changed (or after RECOUNT, for what no history line records, e.g. rows
deleted by housekeeping). Progress writes, which happen every chunk, never cost a count.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import UploadEvent, UploadJob, UploadState

RECOUNT = 30.0  # seconds: the longest a count is kept without a recount
# History lines near the newest one that are counted in the mark: a line whose transaction
# committed after a later-numbered one (PostgreSQL hands ids out before commit) changes it.
TAIL = 64

_lock = threading.Lock()
_cached: dict[str, tuple[Any, float, dict[str, int]]] = {}


def state_mark(*, session: Session) -> tuple[Any, ...]:
    """Changes whenever a job is added or changes state (a few index lookups)."""
    newest_job = session.exec(select(func.max(UploadJob.id))).one()
    newest = session.exec(
        select(UploadEvent.id, UploadEvent.at, UploadEvent.to_state)
        .order_by(col(UploadEvent.id).desc())
        .limit(1)
    ).first()
    tail = 0
    if newest is not None:
        tail = session.exec(
            select(func.count()).where(col(UploadEvent.id) > (newest[0] or 0) - TAIL)
        ).one()
    return (newest_job, tuple(newest) if newest else None, tail)


def count_by_state(*, session: Session) -> dict[str, int]:
    """Jobs in each state (every state listed, zero included)."""
    rows = session.exec(select(UploadJob.state, func.count()).group_by(UploadJob.state)).all()
    counts = {s.value: 0 for s in UploadState}
    for state, n in rows:
        counts[UploadState(state).value] = int(n)
    return counts


def summary(*, session: Session) -> dict[str, int]:
    """count_by_state, taken again only when the state mark moved (shared by all viewers)."""
    key = str(session.get_bind().engine.url)
    mark = state_mark(session=session)
    now = time.monotonic()
    with _lock:
        cached = _cached.get(key)
    if cached is not None and cached[0] == mark and now - cached[1] < RECOUNT:
        return dict(cached[2])
    counts = count_by_state(session=session)
    with _lock:
        _cached[key] = (mark, now, counts)
    return dict(counts)
