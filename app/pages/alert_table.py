"""The Alerts page's table: each alert with who acknowledged, resolved or muted it, and the
buttons for what this viewer may do to it."""

from __future__ import annotations

import reflex as rx

from app.states.alerts import AlertsState


def _who(text: rx.Var, icon: str, testid: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.hstack(
            rx.icon(icon, size=12, color="var(--gray-10)"),
            rx.text(text, size="1", color="var(--gray-11)", data_testid=testid),
            spacing="1",
            align="center",
        ),
    )


def _actions(r: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(
            r["can_ack"] == "yes",
            rx.button(
                "Acknowledge",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=AlertsState.acknowledge(r["id"]),
                data_testid="alert-acknowledge",
            ),
        ),
        rx.cond(
            r["can_resolve"] == "yes",
            rx.button(
                "Resolve",
                size="1",
                variant="soft",
                color_scheme="green",
                on_click=AlertsState.resolve(r["id"]),
                data_testid="alert-resolve",
            ),
        ),
        rx.cond(
            r["can_mute"] == "yes",
            rx.button(
                rx.icon("bell-off", size=12),
                "Mute",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=AlertsState.open_mute(r["id"]),
                data_testid="alert-mute",
            ),
        ),
        rx.cond(
            r["can_unmute"] == "yes",
            rx.button(
                rx.icon("bell", size=12),
                "Unmute",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=AlertsState.unmute(r["id"]),
                data_testid="alert-unmute",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.badge(
                r["severity"],
                color_scheme=r["severity_color"].to(str),
                variant="solid",
                data_testid="alert-severity",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.text(r["subject"], weight="medium", size="2", data_testid="alert-subject"),
                    rx.cond(
                        r["muted"] == "yes",
                        rx.badge(
                            rx.icon("bell-off", size=10),
                            "muted",
                            variant="soft",
                            color_scheme="gray",
                            data_testid="alert-muted",
                        ),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(r["message"], size="1", color="var(--gray-11)"),
                rx.code(r["kind"], size="1", variant="ghost"),
                spacing="1",
                align="start",
            ),
            max_width="480px",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r["project"], size="2"),
                rx.text(r["channel"], size="1", color="var(--gray-11)"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(
                    rx.el.span(r["occurrences"], data_testid="alert-occurrences"),
                    " ",
                    r["times"],
                    size="2",
                ),
                rx.cond(
                    r["occurrences"] == "1",
                    rx.text("at ", r["last_raised"], size="1", color="var(--gray-11)"),
                    rx.fragment(
                        rx.text("first ", r["first_raised"], size="1", color="var(--gray-11)"),
                        rx.text("last ", r["last_raised"], size="1", color="var(--gray-11)"),
                    ),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.badge(
                    r["status"],
                    color_scheme=r["status_color"].to(str),
                    variant="soft",
                    data_testid="alert-status",
                ),
                _who(r["acknowledged"], "eye", "alert-acknowledged"),
                _who(r["resolved"], "circle-check", "alert-resolved"),
                _who(r["muted_text"], "bell-off", "alert-muted-by"),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(_actions(r)),
        data_testid="alert-row",
        data_alert_id=r["id"],
    )


def alert_table() -> rx.Component:
    return rx.cond(
        AlertsState.rows.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Severity", "Alert", "Project / channel", "Seen", "Status", "")
                    ]
                )
            ),
            rx.table.body(rx.foreach(AlertsState.rows, _row)),
            width="100%",
            size="1",
            variant="surface",
        ),
        rx.callout(
            "No alerts match these filters.",
            icon="circle-check",
            color_scheme="green",
            high_contrast=True,
            width="100%",
            data_testid="alerts-empty",
        ),
    )
