"""Housekeeping job: drops expired login sessions, old login attempts and dead heartbeats,
and ends the quota alerts of an earlier quota day (the buckets reset at midnight Pacific)."""

from __future__ import annotations

from core import alerts, auth, connect, db, heartbeat, uploads


def run() -> None:
    with db.session() as s:
        auth.prune(session=s)
        heartbeat.prune(session=s)
        alerts.resolve_stale_quota(session=s)
    connect.prune()
    uploads.prune_media()
