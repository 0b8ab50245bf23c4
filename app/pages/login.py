"""The login page: a plain HTML form posted to /auth/login (so the cookie is HttpOnly)."""

from __future__ import annotations

import reflex as rx

from app import styles
from app.components.native_form import native_form
from app.pages.registry import page
from app.states.login import LoginState


@page("/login", "Sign in", on_load=LoginState.load)
def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            native_form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("play", color="var(--accent-9)"),
                        rx.heading("TubeFleet", size="6"),
                        align="center",
                    ),
                    rx.text(
                        "Sign in to the operations dashboard.", size="2", color="var(--gray-11)"
                    ),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(
                            LoginState.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            width="100%",
                            data_testid="login-error",
                        ),
                    ),
                    rx.text("Email", size="2", weight="medium"),
                    rx.input(
                        name="email",
                        type="email",
                        required=True,
                        default_value=LoginState.email_value,
                        auto_complete="username",
                        aria_label="Email",
                        width="100%",
                        data_testid="login-email",
                    ),
                    rx.text("Password", size="2", weight="medium"),
                    rx.input(
                        name="password",
                        type="password",
                        required=True,
                        auto_complete="current-password",
                        aria_label="Password",
                        width="100%",
                        data_testid="login-password",
                    ),
                    rx.el.input(type="hidden", name="next", value=LoginState.next_path),
                    rx.button(
                        "Sign in",
                        type="submit",
                        width="100%",
                        size="3",
                        color_scheme=styles.BRAND,
                        high_contrast=True,
                        data_testid="login-submit",
                    ),
                    spacing="3",
                    width="100%",
                ),
                action="/auth/login",
                method="post",
            ),
            width="380px",
            padding="2em",
        ),
        height="100vh",
        background="var(--gray-2)",
    )
