"""Scheduler heartbeats: each process records its last tick; pages and /healthz read them."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from core import clock
from models import SchedulerHeartbeat


@dataclass(frozen=True)
class HeartbeatView:
    worker_id: str
    kind: str
    last_tick_at: datetime
    age_seconds: float
    ticks: int
    alive: bool


def beat(*, session: Session, worker_id: str, kind: str, started_at: datetime) -> None:
    """Record one tick of this process's scheduler."""
    now = clock.now()
    row = session.get(SchedulerHeartbeat, worker_id)
    if row is None:
        row = SchedulerHeartbeat(
            worker_id=worker_id,
            kind=kind,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            started_at=started_at,
            last_tick_at=now,
        )
    row.last_tick_at = now
    row.ticks += 1
    session.add(row)


def stale_after(interval_seconds: int) -> timedelta:
    """A scheduler that missed three ticks is considered stopped."""
    return timedelta(seconds=max(30, 3 * interval_seconds))


def recent(*, session: Session, interval_seconds: int) -> list[HeartbeatView]:
    """Heartbeats from the last day, newest first."""
    now = clock.now()
    rows = session.exec(
        select(SchedulerHeartbeat)
        .where(SchedulerHeartbeat.last_tick_at >= now - timedelta(days=1))
        .order_by(col(SchedulerHeartbeat.last_tick_at).desc())
    ).all()
    limit = stale_after(interval_seconds)
    views = []
    for row in rows:
        age = now - clock.as_utc(row.last_tick_at)
        views.append(
            HeartbeatView(
                worker_id=row.worker_id,
                kind=row.kind,
                last_tick_at=clock.as_utc(row.last_tick_at),
                age_seconds=max(0.0, age.total_seconds()),
                ticks=row.ticks,
                alive=age <= limit,
            )
        )
    return views


def prune(*, session: Session) -> None:
    cutoff = clock.now() - timedelta(days=7)
    session.exec(delete(SchedulerHeartbeat).where(col(SchedulerHeartbeat.last_tick_at) < cutoff))
