"""Quota page state: gauges, the 7-day hourly chart and today's breakdown, refreshed every 10 s."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.polled import PolledPage
from app.states.session import SessionState, requires
from app.views import format
from app.views.charts import hourly_chart
from app.views.quota import CHANNEL_ROWS, channel_rows, gauge_groups, method_rows, more_channels
from core import clock, db, quota_marks, quota_report
from models import Role


class QuotaState(PolledPage, SessionState):
    gauges: list[dict[str, Any]] = []  # see app.components.quota_gauges
    chart: dict[str, Any] = {}  # plotly's JSON of app.views.charts.hourly_figure
    chart_projects: list[dict[str, str]] = []
    chart_project: str = ""
    by_method: list[dict[str, str]] = []
    by_channel: list[dict[str, str]] = []
    by_channel_more: str = ""
    resets_at: str = ""
    reset_seconds: int = 0
    day: str = ""
    updated_at: str = ""
    # What the current vars were built from (core.quota_marks): unchanged data is not read
    # or sent again.
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
        zone, now = self.zone(), clock.now()
        resets = clock.next_pacific_midnight(now)
        self._assign(
            updated_at=format.time_of_day(now, zone),
            reset_seconds=int((resets - now).total_seconds()),
            resets_at=format.moment(resets, zone, now),
        )
        charted = int(self.chart_project) if self.chart_project.isdigit() else None
        with db.read_session() as s:
            mark = quota_marks.quota_mark(session=s, now=now)
            if repr((str(zone), charted, mark)) == self._built_from:
                return
            report = quota_report.quota_report(
                session=s, now=now, series_for=charted or 0, channel_rows=CHANNEL_ROWS
            )
        shown = report.series[0].project_id if report.series else None
        self._built_from = repr((str(zone), shown, mark))
        gauges = gauge_groups(report.buckets, zone, now)
        choices = [{"id": str(g["project_id"]), "name": str(g["project"])} for g in gauges]
        self._assign(
            day=format.day(report.buckets[0].day) if report.buckets else "",
            gauges=gauges,
            chart_projects=choices,
            chart_project=str(shown or ""),
            chart=hourly_chart(report.series, zone),
            by_method=method_rows(report),
            by_channel=channel_rows(report),
            by_channel_more=more_channels(report, CHANNEL_ROWS),
        )
