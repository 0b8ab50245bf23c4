"""The quota chart (a plotly figure: 7 days by hour) and the colours the quota gauges share."""

from __future__ import annotations

import functools
import json
import math
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from core import clock
from core.quota_report import HourlySeries

# Gauge bar colours per level (Radix 9 steps) and the 70/80/90 % bands behind the bar
# (app/components/quota_gauges.py draws them in CSS).
BAR_COLORS = {
    "ok": "#3e63dd",
    "info": "#e2a336",
    "warning": "#ef5f00",
    "critical": "#dc3e42",
    "exhausted": "#8c1f22",
}
BANDS = ((0.0, 0.7, "#f0f0f3"), (0.7, 0.8, "#ffe7b3"), (0.8, 0.9, "#ffcca7"), (0.9, 1.0, "#feb9b6"))
SERIES_COLORS = {"default": BAR_COLORS["ok"], "videos.insert": "#12a594", "search.list": "#8e4ec6"}
BUCKET_TITLES = {
    "default": "Shared bucket",
    "videos.insert": "Uploads (videos.insert)",
    "search.list": "Searches (search.list)",
}
FONT = "Inter, -apple-system, Segoe UI, Roboto, sans-serif"
# Plain look for every quota chart (replaces plotly's grey default template).
PLAIN = go.layout.Template(
    layout={
        "font": {"family": FONT, "color": "#1c2024", "size": 12},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
)
PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def unit_of(bucket: str, count: int = 2) -> str:
    """What a bucket counts: units of the shared bucket, calls of the others."""
    unit = "unit" if bucket == "default" else "call"
    return unit if count == 1 else unit + "s"


def bucket_title(bucket: str) -> str:
    return BUCKET_TITLES.get(bucket, bucket)


def nice_step(rough: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `rough`."""
    magnitude = 10 ** max(0, math.floor(math.log10(rough))) if rough >= 1 else 1
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)


def hourly_chart(series: list[HourlySeries], zone: ZoneInfo) -> dict[str, Any]:
    """hourly_figure as the browser gets it (plotly's JSON), built once per distinct data:
    comparing or rebuilding plotly figures cost the Quota page most of its time."""
    key = tuple(
        (s.project_id, s.bucket, tuple(s.hours), tuple(s.calls), tuple(s.units), tuple(s.failures))
        for s in series
    )
    return _hourly_json(key, str(zone))


@functools.lru_cache(maxsize=64)
def _hourly_json(key: tuple[Any, ...], zone: str) -> dict[str, Any]:
    series = [
        HourlySeries(pid, "", bucket, list(h), list(c), list(u), list(f))
        for pid, bucket, h, c, u, f in key
    ]
    return dict(json.loads(str(hourly_figure(series, ZoneInfo(zone)).to_json())))


def hourly_figure(series: list[HourlySeries], zone: ZoneInfo) -> go.Figure:
    """One row per bucket: units (or calls) per hour in the viewer's zone, resets marked."""
    if not series:
        return go.Figure()
    figure = make_subplots(
        rows=len(series),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=[f"{bucket_title(s.bucket)}: {unit_of(s.bucket)} per hour" for s in series],
    )
    for row, s in enumerate(series, start=1):
        # Plotly's own date axis: the x values are data, not text a person reads.
        local = [h.astimezone(zone).strftime("%Y-%m-%d %H:%M") for h in s.hours]
        figure.add_trace(
            go.Bar(
                x=local,
                y=s.units,
                name=bucket_title(s.bucket),
                marker_color=SERIES_COLORS.get(s.bucket, "#8b8d98"),
                customdata=list(zip(s.calls, s.failures, strict=True)),
                hovertemplate=(
                    f"%{{x|%a %-d %b %H:00}}<br>%{{y:,}} {unit_of(s.bucket)}"
                    "<br>%{customdata[0]:,} calls, %{customdata[1]:,} failed"
                    "<extra></extra>"
                ),
            ),
            row=row,
            col=1,
        )
        axis: dict[str, Any] = {"tickformat": "~s"}
        if s.bucket != "default":  # whole calls: no "500m" ticks on a quiet week
            axis = {"tickformat": ",d", "dtick": nice_step(max(s.units) / 4)}
        figure.update_yaxes(
            rangemode="tozero", gridcolor="#e8e8ec", zeroline=False, row=row, col=1, **axis
        )
    # Google's day changes at midnight Pacific: mark each reset inside the window.
    first, last = series[0].hours[0], series[0].hours[-1]
    day = clock.pacific_day(first) + timedelta(days=1)
    while (reset := clock.pacific_day_start(day)) <= last:
        x = reset.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        figure.add_shape(
            type="line",
            x0=x,
            x1=x,
            y0=0,
            y1=1,
            xref="x",
            yref="paper",
            line={"color": "#b9bbc6", "width": 1, "dash": "dot"},
        )
        day += timedelta(days=1)
    figure.update_xaxes(type="date", tickformat="%a %-d %b", gridcolor="#f0f0f3", showgrid=True)
    figure.update_annotations(font={"size": 12, "color": "#60646c"}, x=0, xanchor="left")
    figure.update_layout(
        template="none",
        showlegend=False,
        bargap=0.15,
        height=90 + 150 * len(series),
        hovermode="closest",
        font={"family": FONT, "size": 11},
        margin={"l": 48, "r": 16, "t": 36, "b": 32},
    )
    return figure
