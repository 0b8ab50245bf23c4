"""Overview page state: pool, queue and scheduler health, refreshed every few seconds."""

from __future__ import annotations

from typing import Any

from app.states.polled import PolledPage
from app.states.session import SessionState
from app.views import format
from app.views.overview import next_upload_row, reauth_row, worker_row
from app.views.quota import gauge_groups
from core import dashboard, db, quota_marks, quota_report


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

    # What the quota gauges were built from (core.quota_marks): unchanged, not rebuilt.
    _quota_from: str = ""

    def _on_load(self) -> None:
        self._quota_from = ""

    def _refresh(self) -> None:
        zone = self.zone()
        with db.read_session() as s:
            data = dashboard.overview(session=s)
            mark = repr((str(zone), quota_marks.quota_mark(session=s)))
            buckets = quota_report.bucket_status(session=s) if mark != self._quota_from else None
        if buckets is not None:
            self._quota_from = mark
            self._assign(quota=gauge_groups(buckets, zone, compact=True))
        self._assign(
            queue=data.queue,
            next_uploads=[next_upload_row(j, zone) for j in data.next_uploads],
            users=data.users,
            open_critical=data.open_alerts.get("critical", 0),
            open_warning=data.open_alerts.get("warning", 0),
            open_info=data.open_alerts.get("info", 0),
            audit_last_day=data.audit_last_day,
            scheduler_alive=data.scheduler_alive,
            heartbeat_age=format.ago(data.last_tick_age),
            pool=dict(data.pool["by_state"]),  # type: ignore[call-overload]
            pool_total=int(data.pool["total"]),  # type: ignore[call-overload]
            needs_reauth=[reauth_row(c) for c in data.pool["needs_reauth"]],  # type: ignore[attr-defined]
            workers=[worker_row(b) for b in data.heartbeats[:10]],
        )
