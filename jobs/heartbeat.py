"""Heartbeat job: records that this process's scheduler is alive."""

from __future__ import annotations

from core import clock, db, heartbeat, lease

_kind = "web"
_started_at = clock.now()


def set_kind(kind: str) -> None:
    global _kind, _started_at
    _kind = kind
    _started_at = clock.now()


def run() -> None:
    with db.session() as s:
        heartbeat.beat(
            session=s, worker_id=lease.process_owner(), kind=_kind, started_at=_started_at
        )
