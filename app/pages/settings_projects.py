"""Settings page, the Google Cloud projects card: each project's standing and quota model,
adding one, and the dialog that edits its quota policy (the page is app/pages/settings.py)."""

from __future__ import annotations

import reflex as rx

from app.components.fields import form_error, named_select
from app.components.frame import dialog_actions
from app.states.settings import SettingsState


def _project_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(p["name"], weight="medium"), rx.code(p["client_id"], size="1"), spacing="1"
            )
        ),
        rx.table.cell(
            rx.badge(p["kind"], color_scheme=rx.cond(p["kind"] == "sandbox", "purple", "blue"))
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(p["verified"], size="1"),
                rx.cond(
                    p["testing"] != "", rx.text(p["testing"], size="1", color="var(--amber-11)")
                ),
                spacing="1",
            )
        ),
        rx.table.cell(rx.text(p["preset"], size="1")),
        rx.table.cell(
            rx.cond(
                SettingsState.role == "admin",
                rx.button(
                    "Edit", size="1", variant="soft", on_click=SettingsState.open_policy(p["id"])
                ),
            )
        ),
    )


def _policy_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(SettingsState.policy_project_name),
            rx.dialog.description(
                "Google counts quota per project. Raise a limit after Google grants an "
                "increase; choose the legacy model for projects still charged 1600 units per "
                "upload from the shared bucket.",
                size="2",
            ),
            rx.vstack(
                rx.text("Quota model", size="2", weight="medium"),
                named_select(
                    ["current", "legacy"],
                    "Quota model",
                    value=SettingsState.policy_preset,
                    on_change=SettingsState.set_policy_preset,
                ),
                rx.foreach(
                    SettingsState.policy_limits,
                    lambda item: rx.hstack(
                        rx.text(item[0], size="2", width="140px"),
                        rx.input(
                            value=item[1],
                            type="number",
                            width="160px",
                            on_change=lambda v: SettingsState.set_policy_limit(item[0], v),
                        ),
                        rx.text("per day", size="1", color="var(--gray-11)"),
                        align="center",
                    ),
                ),
                rx.checkbox(
                    "Verified by Google's API audit (public uploads allowed)",
                    checked=SettingsState.policy_verified,
                    on_change=SettingsState.set_policy_verified,
                ),
                rx.checkbox(
                    "Consent screen in testing (refresh tokens die after 7 days)",
                    checked=SettingsState.policy_testing,
                    on_change=SettingsState.set_policy_testing,
                ),
                form_error(SettingsState.policy_error),
                dialog_actions("Save", SettingsState.save_policy),
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=SettingsState.policy_open,
        on_open_change=SettingsState.set_policy_open,
    )


def projects_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Google Cloud projects", size="4"),
            rx.text(
                "Each project is an OAuth client with its own daily quota. Its redirect "
                "URI in Google Cloud Console must be this app's /oauth/callback.",
                size="2",
                color="var(--gray-11)",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Project", "Kind", "Standing", "Quota", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(SettingsState.projects, _project_row)),
                width="100%",
                size="1",
            ),
            rx.cond(
                SettingsState.role == "admin",
                rx.form(
                    rx.vstack(
                        rx.hstack(
                            rx.input(name="name", placeholder="Project name", required=True),
                            rx.input(
                                name="client_id",
                                placeholder="OAuth client ID",
                                required=True,
                                width="320px",
                            ),
                            rx.input(
                                name="client_secret",
                                type="password",
                                required=True,
                                placeholder="Client secret",
                                auto_complete="off",
                            ),
                            named_select(
                                ["current", "legacy"],
                                "Quota model",
                                name="preset",
                                default_value="current",
                            ),
                            spacing="2",
                            wrap="wrap",
                        ),
                        rx.hstack(
                            rx.checkbox("Verified (public uploads allowed)", name="verified"),
                            rx.checkbox("Consent screen in testing", name="consent_testing"),
                            rx.button("Add project", type="submit"),
                            spacing="4",
                            align="center",
                        ),
                        spacing="2",
                    ),
                    on_submit=SettingsState.add_project,
                    reset_on_submit=True,
                ),
            ),
            form_error(SettingsState.project_error),
            _policy_dialog(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
