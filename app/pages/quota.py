"""Quota: a gauge per project and bucket, the reset countdown, 7 days by hour, today's breakdown."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
import reflex as rx

from app.components.frame import frame
from app.components.poller import poller
from app.components.quota_gauges import countdown, countdown_driver, quota_gauges
from app.pages.registry import page
from app.states.quota import QuotaState
from app.views.charts import PLAIN, PLOT_CONFIG

REFRESH_MS = 10_000


def reset_banner() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon("timer-reset", size=28, color="var(--accent-9)"),
            rx.vstack(
                rx.text(
                    "Quota day ",
                    QuotaState.day,
                    " (Pacific time) resets at",
                    size="2",
                    color="var(--gray-11)",
                ),
                rx.text(
                    QuotaState.resets_at, size="5", weight="bold", data_testid="quota-reset-local"
                ),
                spacing="0",
                align="start",
            ),
            rx.vstack(
                rx.text("in", size="2", color="var(--gray-11)"),
                rx.text(
                    countdown(QuotaState.reset_seconds, "quota-countdown"), size="5", weight="bold"
                ),
                spacing="0",
                align="start",
            ),
            rx.spacer(),
            rx.vstack(
                rx.text(
                    "Google counts quota per Cloud project; every request costs, failed ones too.",
                    size="1",
                    color="var(--gray-11)",
                ),
                rx.text(
                    "Limits and the quota preset are set per project in ",
                    rx.link("Settings", href="/settings", underline="always"),
                    ".",
                    size="1",
                    color="var(--gray-11)",
                    data_testid="quota-limits-note",
                ),
                spacing="1",
                align="start",
                max_width="380px",
            ),
            align="center",
            spacing="6",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
    )


def chart_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Last 7 days by hour", size="4"),
                rx.text(
                    "times in your zone; dotted lines are the Pacific-midnight resets",
                    size="1",
                    color="var(--gray-11)",
                ),
                rx.spacer(),
                rx.cond(
                    QuotaState.chart_projects.length() > 1,
                    rx.select.root(
                        rx.select.trigger(aria_label="Project", data_testid="quota-chart-project"),
                        rx.select.content(
                            rx.foreach(
                                QuotaState.chart_projects,
                                lambda p: rx.select.item(p["name"], value=p["id"]),
                            )
                        ),
                        value=QuotaState.chart_project,
                        size="1",
                        on_change=QuotaState.set_chart_project,
                    ),
                ),
                align="center",
                width="100%",
                spacing="3",
            ),
            rx.cond(
                QuotaState.chart_projects.length() > 0,
                rx.box(
                    rx.plotly.finance(
                        data=QuotaState.chart.to(go.Figure),
                        template=PLAIN,
                        config=PLOT_CONFIG,
                        width="100%",
                    ),
                    width="100%",
                    data_testid="quota-hourly-chart",
                ),
                rx.text("No projects yet.", color="var(--gray-11)"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _table(
    headers: list[str], rows: Any, cells: list[str], testid: str, empty: str
) -> rx.Component:
    return rx.cond(
        rx.Var.create(rows).to(list).length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(
                rx.foreach(
                    rows,
                    lambda r: rx.table.row(
                        *[
                            rx.table.cell(
                                r[c], white_space="nowrap" if c != "channel" else "normal"
                            )
                            for c in cells
                        ],
                        data_testid=testid,
                    ),
                )
            ),
            width="100%",
            size="1",
            variant="surface",
        ),
        rx.text(empty, size="2", color="var(--gray-11)"),
    )


def breakdown() -> rx.Component:
    by_method = rx.card(
        rx.vstack(
            rx.heading("Today by method", size="4"),
            _table(
                ["Method", "Project", "Bucket", "Calls", "Charged", "Share", "Failed"],
                QuotaState.by_method,
                ["method", "project", "bucket", "calls", "units", "share", "failures"],
                "quota-method-row",
                "No calls today yet.",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
    by_channel = rx.card(
        rx.vstack(
            rx.heading("Today by channel", size="4"),
            _table(
                ["Channel", "Project", "Calls", "Shared units", "Uploads", "Searches", "Failed"],
                QuotaState.by_channel,
                ["channel", "project", "calls", "shared", "uploads", "searches", "failures"],
                "quota-channel-row",
                "No channel made a call today yet.",
            ),
            rx.cond(
                QuotaState.by_channel_more != "",
                rx.text(QuotaState.by_channel_more, size="1", color="var(--gray-11)"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
    return rx.vstack(by_method, by_channel, spacing="4", width="100%")


@page("/quota", "Quota", on_load=QuotaState.load)
def quota_page() -> rx.Component:
    return frame(
        "Quota",
        poller(QuotaState.refresh, REFRESH_MS),
        countdown_driver(),
        reset_banner(),
        quota_gauges(QuotaState.gauges),
        chart_card(),
        breakdown(),
        actions=rx.text(
            "Updated ",
            QuotaState.updated_at,
            " · refreshes every 10 s",
            size="1",
            color="var(--gray-11)",
            data_testid="quota-updated",
        ),
    )
