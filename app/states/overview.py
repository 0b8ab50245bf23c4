"""Overview page state: pool, queue and scheduler health, refreshed every few seconds."""

from __future__ import annotations

from typing import Any

from app.states.polled import PolledPage
from app.states.session import SessionState
from app.views import format
from app.views.overview import next_upload_row, reauth_row, worker_row
from app.views.quota import gauge_groups
from core import dashboard, db, quota_report


class OverviewState(PolledPage, SessionState):
    users: int = 0
    open_critical: int = 0
    open_warning: int = 0
    open_info: int = 0
    audit_last_day: int = 0
    scheduler_alive: bool = False
    heartbeat_age: str = "never"
    workers: list[dict[str, str]] = []
    pool: dict[str, int] = {}
    pool_total: int = 0
    needs_reauth: list[dict[str, str]] = []
    queue: dict[str, int] = {}
    quota: list[dict[str, Any]] = []
    next_uploads: list[dict[str, str]] = []

    def _refresh(self) -> None:
        zone = self.zone()
        with db.read_session() as s:
            data = dashboard.overview(session=s)
            buckets = quota_report.bucket_status(session=s)
        self.quota = gauge_groups(buckets, zone)
        self.queue = data.queue
        self.next_uploads = [next_upload_row(j, zone) for j in data.next_uploads]
        self.users = data.users
        self.open_critical = data.open_alerts.get("critical", 0)
        self.open_warning = data.open_alerts.get("warning", 0)
        self.open_info = data.open_alerts.get("info", 0)
        self.audit_last_day = data.audit_last_day
        self.scheduler_alive = data.scheduler_alive
        self.heartbeat_age = format.ago(data.last_tick_age)
        self.pool = dict(data.pool["by_state"])  # type: ignore[call-overload]
        self.pool_total = int(data.pool["total"])  # type: ignore[call-overload]
        self.needs_reauth = [reauth_row(c) for c in data.pool["needs_reauth"]]  # type: ignore[attr-defined]
        self.workers = [worker_row(b) for b in data.heartbeats[:10]]
