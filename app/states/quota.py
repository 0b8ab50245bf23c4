"""Quota page state: gauges, the 7-day hourly chart and today's breakdown, refreshed every 10 s."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import plotly.graph_objects as go  # type: ignore[import-untyped]
import reflex as rx

from app.states.polled import PolledPage
from app.states.session import SessionState, requires
from app.views import format
from app.views.charts import hourly_figure
from app.views.quota import channel_rows, gauge_groups, method_rows
from core import clock, db, quota_report
from core.quota_report import QuotaReport
from models import Role


class QuotaState(PolledPage, SessionState):
    gauges: list[dict[str, Any]] = []  # see app.components.quota_gauges
    chart: go.Figure = go.Figure()
    chart_projects: list[dict[str, str]] = []
    chart_project: str = ""
    by_method: list[dict[str, str]] = []
    by_channel: list[dict[str, str]] = []
    resets_at: str = ""
    reset_seconds: int = 0
    day: str = ""
    updated_at: str = ""
    # What the current vars were built from: unchanged data is not sent again.
    _built_from: str = ""

    def _on_load(self) -> None:
        self._built_from = ""

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_chart_project(self, project_id: str) -> None:
        self.chart_project = project_id
        self._built_from = ""
        self._refresh()

    def _refresh(self) -> None:
        zone = self.zone()
        with db.read_session() as s:
            report = quota_report.quota_report(session=s)
        now = report.now
        self.updated_at = format.time_of_day(now, zone)
        resets = clock.next_pacific_midnight(now)
        self.reset_seconds = int((resets - now).total_seconds())
        self.resets_at = format.moment(resets, zone, now)
        self.day = format.day(report.buckets[0].day) if report.buckets else ""
        signature = self._signature(report, zone)
        if signature == self._built_from:
            return
        self._built_from = signature
        self.gauges = gauge_groups(report.buckets, zone, now)
        self.chart_projects = [
            {"id": str(g["project_id"]), "name": str(g["project"])} for g in self.gauges
        ]
        ids = [p["id"] for p in self.chart_projects]
        if self.chart_project not in ids:
            self.chart_project = ids[0] if ids else ""
        shown = [s for s in report.series if str(s.project_id) == self.chart_project]
        self.chart = hourly_figure(shown, zone)
        self.by_method = method_rows(report)
        self.by_channel = channel_rows(report)

    def _signature(self, report: QuotaReport, zone: ZoneInfo) -> str:
        # Minutes matter for the forecast sentences; the hour list moves every hour.
        minute = report.now.replace(second=0, microsecond=0)
        return repr(
            (
                str(zone),
                self.chart_project,
                minute,
                [b.public() for b in report.buckets],
                [(s.project_id, s.bucket, s.units, s.calls, s.failures) for s in report.series],
                report.by_method,
                report.by_channel,
            )
        )
