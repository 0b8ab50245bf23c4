"""Settings: your password, people and roles (admins), and the audit log."""

from __future__ import annotations

import reflex as rx

from app.components.frame import dialog_actions, frame
from app.pages.registry import page
from app.states.settings import SettingsState
from models import Role

ROLES = [r.value for r in Role]


def _field(label: str, name: str, kind: str = "text", **props: object) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(name=name, type=kind, required=True, width="100%", **props),
        spacing="1",
        width="100%",
    )


def _error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", size="1", width="100%"),
    )


def account_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your account", size="4"),
            rx.text(
                SettingsState.email,
                " · ",
                SettingsState.role,
                " · times shown in ",
                SettingsState.tz,
                size="2",
                color="var(--gray-11)",
            ),
            rx.form(
                rx.vstack(
                    _error(SettingsState.password_error),
                    _field(
                        "Current password",
                        "current_password",
                        "password",
                        auto_complete="current-password",
                    ),
                    _field(
                        "New password (10 characters or more)",
                        "new_password",
                        "password",
                        auto_complete="new-password",
                    ),
                    _field(
                        "New password again",
                        "confirm_password",
                        "password",
                        auto_complete="new-password",
                    ),
                    rx.button("Change password", type="submit"),
                    spacing="3",
                    width="100%",
                    max_width="420px",
                ),
                on_submit=SettingsState.change_password,
                reset_on_submit=True,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _user_row(u: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(u["email"]),
        rx.table.cell(
            rx.select(
                ROLES,
                value=u["role"],
                size="1",
                on_change=lambda role: SettingsState.set_role(u["id"], role),
            )
        ),
        rx.table.cell(
            rx.badge(u["status"], color_scheme=rx.cond(u["status"] == "active", "green", "gray"))
        ),
        rx.table.cell(u["last_login"]),
        rx.table.cell(
            rx.button(
                rx.cond(u["status"] == "active", "Disable", "Enable"),
                size="1",
                variant="soft",
                on_click=SettingsState.toggle_disabled(u["id"]),
            )
        ),
    )


def people_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("People", size="4"),
            rx.text(
                "Admins manage projects and people; operators run the pool and review "
                "alerts; marketers schedule uploads.",
                size="2",
                color="var(--gray-11)",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Email", "Role", "Status", "Last login", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(SettingsState.users, _user_row)),
                width="100%",
                size="1",
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="email", type="email", placeholder="name@company.com", required=True
                    ),
                    rx.select(ROLES, name="role", default_value="marketer"),
                    rx.input(
                        name="password",
                        type="password",
                        required=True,
                        placeholder="first password (10+ characters)",
                        auto_complete="new-password",
                    ),
                    rx.button("Add person", type="submit"),
                    spacing="2",
                    wrap="wrap",
                ),
                on_submit=SettingsState.add_user,
                reset_on_submit=True,
            ),
            _error(SettingsState.user_error),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


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
                rx.select(
                    ["current", "legacy"],
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
                _error(SettingsState.policy_error),
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
                            rx.select(
                                ["current", "legacy"], name="preset", default_value="current"
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
            _error(SettingsState.project_error),
            _policy_dialog(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def activity_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Recent activity", size="4"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("When", "Who", "Action", "Target", "Detail")
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        SettingsState.activity,
                        lambda e: rx.table.row(
                            rx.table.cell(e["at"]),
                            rx.table.cell(e["actor"]),
                            rx.table.cell(rx.code(e["action"])),
                            rx.table.cell(e["target"]),
                            rx.table.cell(e["detail"]),
                        ),
                    )
                ),
                width="100%",
                size="1",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@page("/settings", "Settings", on_load=SettingsState.load)
def settings_page() -> rx.Component:
    return frame(
        "Settings",
        account_card(),
        projects_card(),
        rx.cond(SettingsState.role == "admin", people_card()),
        rx.cond(SettingsState.role != "marketer", activity_card()),
    )
