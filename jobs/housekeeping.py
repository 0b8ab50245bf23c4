"""Housekeeping job: drops expired login sessions, old login attempts and dead heartbeats."""

from __future__ import annotations

from core import auth, connect, db, heartbeat, uploads


def run() -> None:
    with db.session() as s:
        auth.prune(session=s)
        heartbeat.prune(session=s)
    connect.prune()
    uploads.prune_media()
