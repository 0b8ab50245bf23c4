"""Alerts: every alert source in one list; filter, acknowledge, resolve, mute; who did it when."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.components.filters import filter_select
from app.components.frame import dialog_actions, frame
from app.components.pager import pager, search_box
from app.components.poller import poller
from app.pages.alert_table import alert_table
from app.pages.registry import page
from app.states.alerts import AlertsState

REFRESH_MS = 10_000
SEVERITIES = ["critical", "warning", "info"]
STATUSES = [
    ("open", "Open (not resolved)"),
    ("acknowledged", "Acknowledged"),
    ("resolved", "Resolved"),
    ("all", "All"),
]


def _select(which: str, label: str, **choices: Any) -> rx.Component:
    return filter_select(
        getattr(AlertsState, f"filter_{which}"),
        lambda v: AlertsState.set_filter(which, v),
        label=label,
        testid=f"alerts-filter-{which}",
        **choices,
    )


def filters() -> rx.Component:
    return rx.hstack(
        _select("status", "Status", fixed=STATUSES, all_text=None),
        _select("severity", "Severity", fixed=[(s, s) for s in SEVERITIES]),
        _select("kind", "Kind", values=AlertsState.kinds),
        _select("project", "Project", options=AlertsState.projects),
        _select("channel", "Channel", options=AlertsState.channels),
        rx.hstack(
            rx.switch(
                checked=AlertsState.hide_muted,
                on_change=AlertsState.set_hide_muted,
                size="1",
                aria_label="Hide muted alerts",
                data_testid="alerts-hide-muted",
            ),
            rx.text("Hide muted", size="2", color="var(--gray-11)"),
            align="center",
            spacing="2",
        ),
        search_box(AlertsState, "Search subject, message, kind", "alerts-search"),
        spacing="5",
        wrap="wrap",
        align="center",
    )


def _count(label: str, key: str, color: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color="var(--gray-11)"),
            rx.text(
                AlertsState.open_counts.get(key, 0),
                size="6",
                weight="bold",
                data_testid=f"alerts-open-{key}",
            ),
            spacing="0",
        ),
        border_left=f"4px solid var(--{color}-9)",
        min_width="150px",
    )


def mute_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Mute alert"),
            rx.dialog.description(AlertsState.mute_subject, size="2"),
            rx.vstack(
                rx.text(
                    "A muted alert stays listed with a muted badge until the time is up "
                    '("Hide muted" leaves it out); repeats still add to its count.',
                    size="1",
                    color="var(--gray-11)",
                ),
                rx.hstack(
                    rx.input(
                        value=AlertsState.mute_hours,
                        type="number",
                        min=0.25,
                        max=720,
                        step=0.25,
                        on_change=AlertsState.set_mute_hours,
                        width="110px",
                        data_testid="mute-hours",
                    ),
                    rx.text("hours", size="2"),
                    *[
                        rx.button(
                            f"{h} h",
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            on_click=AlertsState.set_mute_hours(str(h)),
                        )
                        for h in (1, 4, 8, 24)
                    ],
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    AlertsState.mute_error != "",
                    rx.callout(
                        AlertsState.mute_error,
                        color_scheme="red",
                        size="1",
                        data_testid="mute-error",
                    ),
                ),
                dialog_actions("Mute", AlertsState.save_mute, "mute-save"),
                spacing="3",
                margin_top="0.5em",
            ),
        ),
        open=AlertsState.mute_open,
        on_open_change=AlertsState.set_mute_open,
    )


@page("/alerts", "Alerts", on_load=AlertsState.load)
def alerts_page() -> rx.Component:
    return frame(
        "Alerts",
        poller(AlertsState.refresh, REFRESH_MS),
        rx.hstack(
            _count("Open: critical", "critical", "red"),
            _count("Open: warning", "warning", "orange"),
            _count("Open: info", "info", "blue"),
            rx.spacer(),
            rx.cond(
                AlertsState.role == "marketer",
                rx.text(
                    "Operators and admins acknowledge, resolve and mute alerts.",
                    size="1",
                    color="var(--gray-11)",
                ),
            ),
            spacing="3",
            wrap="wrap",
            width="100%",
            align="end",
        ),
        filters(),
        alert_table(),
        pager(AlertsState, "alerts"),
        mute_dialog(),
    )
