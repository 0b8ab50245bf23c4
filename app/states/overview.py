"""Overview page state: pool, queue and scheduler health, refreshed every few seconds."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.components.quota_gauges import gauge_groups
from app.states.session import SessionState, requires
from core import clock, dashboard, db, quota_report, uploads
from models import Role


class OverviewState(SessionState):
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

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def refresh(self, _tick: str = "") -> None:
        self._refresh()

    def _refresh(self) -> None:
        zone = self.zone()
        with db.read_session() as s:
            data = dashboard.overview(session=s)
            self.quota = gauge_groups(quota_report.bucket_status(session=s), zone)
            self.queue = uploads.summary(session=s)
            titles = uploads.channel_titles(session=s)
            self.next_uploads = [
                {"id": str(j.id), "title": j.title,
                 "where": titles.get(j.channel_id or j.target_channel_id or 0, "")
                 or (f"group {j.target_group}" if j.target_group else "auto"),
                 "when": clock.as_utc(j.not_before).astimezone(zone).strftime("%a %d %b %H:%M")}
                for j in uploads.next_scheduled(session=s)]
        self.users = data.users
        self.open_critical = data.open_alerts.get("critical", 0)
        self.open_warning = data.open_alerts.get("warning", 0)
        self.open_info = data.open_alerts.get("info", 0)
        self.audit_last_day = data.audit_last_day
        self.scheduler_alive = data.scheduler_alive
        self.heartbeat_age = dashboard.humanize_age(data.last_tick_age)
        self.pool = dict(data.pool["by_state"])  # type: ignore[arg-type]
        self.pool_total = int(data.pool["total"])  # type: ignore[arg-type]
        self.needs_reauth = [{"id": str(c["id"]), "title": str(c["title"]),
                              "error": str(c["error"])}
                             for c in data.pool["needs_reauth"]]  # type: ignore[attr-defined]
        self.workers = [
            {"id": b.worker_id, "kind": b.kind, "age": dashboard.humanize_age(b.age_seconds),
             "status": "alive" if b.alive else "stopped", "ticks": str(b.ticks)}
            for b in data.heartbeats[:10]
        ]
