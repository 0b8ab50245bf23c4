"""Overview: the health of the pool, the queue and the scheduler at a glance."""

from __future__ import annotations

import reflex as rx

from app.components.frame import counts_row, frame, stat_card
from app.components.poller import poller
from app.components.quota_gauges import quota_gauges
from app.pages.registry import page
from app.states.overview import OverviewState


def scheduler_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Scheduler", size="2", color="var(--gray-11)"),
                rx.spacer(),
                rx.cond(
                    OverviewState.scheduler_alive,
                    rx.badge("running", color_scheme="green", data_testid="scheduler-status"),
                    rx.badge("stopped", color_scheme="red", data_testid="scheduler-status"),
                ),
                width="100%",
            ),
            rx.hstack(
                rx.text("Last heartbeat", size="2"),
                rx.text(
                    OverviewState.heartbeat_age,
                    size="4",
                    weight="bold",
                    data_testid="heartbeat-age",
                ),
                align="baseline",
                spacing="2",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Process"),
                        rx.table.column_header_cell("Kind"),
                        rx.table.column_header_cell("Last tick"),
                        rx.table.column_header_cell("Ticks"),
                        rx.table.column_header_cell("Status"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        OverviewState.workers,
                        lambda w: rx.table.row(
                            rx.table.cell(rx.code(w["id"])),
                            rx.table.cell(w["kind"]),
                            rx.table.cell(w["age"]),
                            rx.table.cell(w["ticks"], data_testid="worker-ticks"),
                            rx.table.cell(
                                rx.badge(
                                    w["status"],
                                    color_scheme=rx.cond(w["status"] == "alive", "green", "gray"),
                                )
                            ),
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


POOL_STATES = [
    ("active", "Active", "green"),
    ("reserve", "Reserve", "blue"),
    ("paused", "Paused", "gray"),
    ("needs_reauth", "Needs re-consent", "red"),
    ("disabled", "Disabled", "gray"),
]


def pool_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Channel pool", size="2", color="var(--gray-11)"),
                rx.spacer(),
                rx.link("Channels →", href="/channels", size="2"),
                width="100%",
            ),
            counts_row(OverviewState.pool, POOL_STATES, "pool"),
            rx.cond(
                OverviewState.needs_reauth.length() > 0,
                rx.callout(
                    rx.vstack(
                        rx.text("These channels need someone to reconnect them:", weight="medium"),
                        rx.foreach(
                            OverviewState.needs_reauth,
                            lambda c: rx.text(
                                "• ", c["title"], size="2", data_testid="needs-reauth-channel"
                            ),
                        ),
                        spacing="1",
                    ),
                    icon="key-round",
                    color_scheme="red",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


QUEUE_STATES = [
    ("scheduled", "Scheduled", "blue"),
    ("queued", "Queued", "gray"),
    ("uploading", "Uploading", "amber"),
    ("processing", "Processing", "violet"),
    ("waiting_quota", "Waiting: quota", "orange"),
    ("waiting_channel", "Waiting: channel", "orange"),
    ("failed", "Failed", "red"),
    ("published", "Published", "green"),
]


def queue_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Upload queue", size="2", color="var(--gray-11)"),
                rx.spacer(),
                rx.link("Uploads →", href="/uploads", size="2"),
                width="100%",
            ),
            counts_row(OverviewState.queue, QUEUE_STATES, "queue", size="5"),
            rx.cond(
                OverviewState.next_uploads.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Next uploads", "Where", "When")
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            OverviewState.next_uploads,
                            lambda j: rx.table.row(
                                rx.table.cell(j["title"]),
                                rx.table.cell(j["where"]),
                                rx.table.cell(j["when"]),
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                ),
                rx.text("Nothing scheduled.", size="2", color="var(--gray-11)"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@page("/", "Overview", on_load=OverviewState.load)
def overview_page() -> rx.Component:
    return frame(
        "Overview",
        poller(OverviewState.refresh),
        rx.grid(
            stat_card("Open alerts: critical", OverviewState.open_critical, testid="open-critical"),
            stat_card("Open alerts: warning", OverviewState.open_warning),
            stat_card("Users", OverviewState.users, testid="user-count"),
            stat_card("Audit events (24 h)", OverviewState.audit_last_day),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="4",
            width="100%",
        ),
        pool_card(),
        rx.cond(
            OverviewState.quota.length() > 0,
            rx.vstack(
                rx.hstack(
                    rx.text("Quota today", size="2", color="var(--gray-11)"),
                    rx.spacer(),
                    rx.link("Quota →", href="/quota", size="2"),
                    width="100%",
                ),
                quota_gauges(OverviewState.quota, compact=True),
                width="100%",
                spacing="2",
            ),
        ),
        queue_card(),
        scheduler_card(),
    )
