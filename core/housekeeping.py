"""The hourly clean-up, once across the fleet: expired login sessions and old login
attempts, dead heartbeats, stale connect attempts, old idempotency keys, quota alerts of
an earlier quota day, media no job needs, and (on SQLite, every few hours) the planner's
statistics.

Each step is its own short transaction, so uploads writing meanwhile wait for none of it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from core import alerts, auth, connect, db, heartbeat, idempotency, periodic, uploads

log = logging.getLogger("tubefleet.housekeeping")

NAME = "housekeeping"  # its periodic run (jobs/housekeeping.py)
EVERY = timedelta(hours=1)
STATISTICS_EVERY = timedelta(hours=6)
# Rows SQLite reads per index when it refreshes statistics: enough for the planner to see
# that 99 % of jobs are finished, in milliseconds rather than a pass over every table.
ANALYSIS_LIMIT = 1000


def run() -> dict[str, Any]:
    """Every clean-up step; what each removed, where it says."""
    with db.session() as s:
        auth.prune(session=s)
    with db.session() as s:
        heartbeat.prune(session=s)
    with db.session() as s:
        # The buckets reset at midnight Pacific: yesterday's quota alerts are over.
        quota_alerts = alerts.resolve_stale_quota(session=s)
    connect.prune()
    with db.session() as s:
        keys = idempotency.prune(session=s)
    # Only what expired since the previous pass (every finished job on the first one).
    files = uploads.prune_media(since=periodic.last_done(NAME))
    analysed = periodic.run_once(
        "database_statistics", every=STATISTICS_EVERY, work=refresh_statistics
    )
    return {
        "idempotency_keys": keys,
        "quota_alerts": quota_alerts,
        "media_files": files,
        "statistics": bool(analysed),
    }


def refresh_statistics() -> bool:
    """On SQLite, refresh the query planner's statistics (PostgreSQL's autovacuum does it
    by itself): without them SQLite may walk the finished jobs to find unfinished ones."""
    engine = db.engine()
    if engine.dialect.name != "sqlite":
        return False
    with db.session() as s:
        s.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
        s.execute(text("ANALYZE"))
    log.info("refreshed SQLite's planner statistics")
    return True
