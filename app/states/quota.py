"""Quota page state: gauges, the 7-day hourly chart and today's breakdown, refreshed every 10 s."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import plotly.graph_objects as go  # type: ignore[import-untyped]
import reflex as rx
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from app.components.quota_gauges import (
    BAR_COLORS,
    BUCKET_TITLES,
    FONT,
    gauge_groups,
    local_time,
    unit_of,
)
from app.states.session import SessionState, requires
from core import clock, db, quota_report
from core.quota_report import HourlySeries, QuotaReport
from models import Role

SERIES_COLORS = {"default": BAR_COLORS["ok"], "videos.insert": "#12a594",
                 "search.list": "#8e4ec6"}


def nice_step(rough: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `rough`."""
    magnitude = 10 ** max(0, math.floor(math.log10(rough))) if rough >= 1 else 1
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)


def hourly_figure(series: list[HourlySeries], zone: ZoneInfo) -> go.Figure:
    """One row per bucket: units (or calls) per hour in the viewer's zone, resets marked."""
    if not series:
        return go.Figure()
    figure = make_subplots(rows=len(series), cols=1, shared_xaxes=True, vertical_spacing=0.1,
                           subplot_titles=[f"{BUCKET_TITLES.get(s.bucket, s.bucket)}: "
                                           f"{unit_of(s.bucket)} per hour" for s in series])
    for row, s in enumerate(series, start=1):
        local = [h.astimezone(zone).strftime("%Y-%m-%d %H:%M") for h in s.hours]
        figure.add_trace(go.Bar(
            x=local, y=s.units, name=BUCKET_TITLES.get(s.bucket, s.bucket),
            marker_color=SERIES_COLORS.get(s.bucket, "#8b8d98"),
            customdata=list(zip(s.calls, s.failures, strict=True)),
            hovertemplate=(f"%{{x|%a %d %b %H:00}}<br>%{{y:,}} {unit_of(s.bucket)}"
                           "<br>%{customdata[0]:,} calls, %{customdata[1]:,} failed"
                           "<extra></extra>"),
        ), row=row, col=1)
        axis: dict[str, Any] = {"tickformat": "~s"}
        if s.bucket != "default":  # whole calls: no "500m" ticks on a quiet week
            axis = {"tickformat": ",d", "dtick": nice_step(max(s.units) / 4)}
        figure.update_yaxes(rangemode="tozero", gridcolor="#e8e8ec", zeroline=False,
                            row=row, col=1, **axis)
    # Google's day changes at midnight Pacific: mark each reset inside the window.
    first, last = series[0].hours[0], series[0].hours[-1]
    day = clock.pacific_day(first) + timedelta(days=1)
    while (reset := clock.pacific_day_start(day)) <= last:
        x = reset.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        figure.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, xref="x", yref="paper",
                         line={"color": "#b9bbc6", "width": 1, "dash": "dot"})
        day += timedelta(days=1)
    figure.update_xaxes(type="date", tickformat="%a %d %b", gridcolor="#f0f0f3",
                        showgrid=True)
    figure.update_annotations(font={"size": 12, "color": "#60646c"}, x=0, xanchor="left")
    figure.update_layout(template="none", showlegend=False, bargap=0.15,
                         height=90 + 150 * len(series), hovermode="closest",
                         font={"family": FONT, "size": 11},
                         margin={"l": 48, "r": 16, "t": 36, "b": 32})
    return figure


def method_rows(report: QuotaReport) -> list[dict[str, str]]:
    used = {(b.project_id, b.bucket): b.used for b in report.buckets}
    rows = []
    for m in report.by_method:
        total = used.get((m.project_id, m.bucket), 0)
        rows.append({"project": m.project, "method": m.method,
                     "bucket": BUCKET_TITLES.get(m.bucket, m.bucket),
                     "calls": f"{m.calls:,}", "units": f"{m.units:,} {unit_of(m.bucket, m.units)}",
                     "failures": f"{m.failures:,}" if m.failures else "—",
                     "share": f"{100 * m.units / total:.1f} %" if total else "—"})
    return rows


def channel_rows(report: QuotaReport) -> list[dict[str, str]]:
    return [{"project": c.project, "channel": c.channel, "calls": f"{c.calls:,}",
             "shared": f"{c.units_by_bucket.get('default', 0):,}",
             "uploads": f"{c.units_by_bucket.get('videos.insert', 0):,}",
             "searches": f"{c.units_by_bucket.get('search.list', 0):,}",
             "failures": f"{c.failures:,}" if c.failures else "—"}
            for c in report.by_channel]


class QuotaState(SessionState):
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

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        self._built_from = ""
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def refresh(self, _tick: str = "") -> None:
        self._refresh()

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
        self.updated_at = now.astimezone(zone).strftime("%H:%M:%S %Z")
        resets = clock.next_pacific_midnight(now)
        self.reset_seconds = int((resets - now).total_seconds())
        self.resets_at = local_time(resets, zone, now)
        self.day = report.buckets[0].day.strftime("%a %d %b") if report.buckets else ""
        signature = self._signature(report, zone)
        if signature == self._built_from:
            return
        self._built_from = signature
        self.gauges = gauge_groups(report.buckets, zone, now)
        self.chart_projects = [{"id": str(g["project_id"]), "name": str(g["project"])}
                               for g in self.gauges]
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
        return repr((str(zone), self.chart_project, minute,
                     [b.public() for b in report.buckets],
                     [(s.project_id, s.bucket, s.units, s.calls, s.failures)
                      for s in report.series],
                     report.by_method, report.by_channel))
