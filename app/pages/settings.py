"""Settings: your password, people and roles (admins), the Google Cloud projects (their
card is app/pages/settings_projects.py), and the audit log."""

from __future__ import annotations

import reflex as rx

from app.components.fields import form_error, labelled_input, named_select
from app.components.frame import frame
from app.pages.registry import page
from app.pages.settings_projects import projects_card
from app.states.settings import SettingsState
from models import Role

ROLES = [r.value for r in Role]


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
                    form_error(SettingsState.password_error),
                    labelled_input(
                        "Current password",
                        "current_password",
                        "password",
                        auto_complete="current-password",
                    ),
                    labelled_input(
                        "New password (10 characters or more)",
                        "new_password",
                        "password",
                        auto_complete="new-password",
                    ),
                    labelled_input(
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
            named_select(
                ROLES,
                "Role of " + u["email"].to(str),
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
                    named_select(ROLES, "Role", name="role", default_value="marketer"),
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
            form_error(SettingsState.user_error),
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
