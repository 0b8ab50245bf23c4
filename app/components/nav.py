"""The navigation: a sidebar at 768 px and wider; on phones a top bar whose menu button
opens the same links, with the signed-in person, as a drawer."""

from __future__ import annotations

import reflex as rx

from app import styles
from app.components.native_form import native_form
from app.states.session import SessionState

NAV = [
    ("Overview", "/", "layout-dashboard"),
    ("Channels", "/channels", "tv"),
    ("Uploads", "/uploads", "upload"),
    ("Calendar", "/calendar", "calendar-days"),
    ("Quota", "/quota", "gauge"),
    ("Alerts", "/alerts", "bell"),
    ("Settings", "/settings", "settings"),
]


def _nav_item(label: str, href: str, icon: str) -> rx.Component:
    active = rx.State.router.page.path == href  # type: ignore[attr-defined]
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label, size="3"), align="center", spacing="3"),
        href=href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        padding="0.5em 0.75em",
        border_radius="var(--radius-3)",
        width="100%",
        background=rx.cond(active, "var(--accent-4)", "transparent"),
        _hover={"background": "var(--gray-4)"},
        data_testid=f"nav-{label.lower()}",
    )


def _user_box() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(SessionState.email, size="2", weight="medium", data_testid="user-email"),
            rx.spacer(),
            # Light or dark: the browser's setting until someone picks here.
            rx.color_mode.button(
                size="1", variant="ghost", aria_label="Light or dark", data_testid="color-mode"
            ),
            width="100%",
            align="center",
        ),
        rx.badge(SessionState.role, variant="soft"),
        native_form(
            rx.button(
                rx.icon("log-out", size=14),
                "Log out",
                type="submit",
                size="1",
                variant="outline",
                width="100%",
            ),
            action="/auth/logout",
            method="post",
            width="100%",
        ),
        spacing="2",
        width="100%",
        align="start",
    )


def _brand() -> rx.Component:
    return rx.hstack(
        rx.icon("play", color=f"var(--{styles.BRAND}-9)"),
        rx.heading("TubeFleet", size="5"),
        align="center",
    )


# Radix breakpoints: initial (phones), xs 520 px, sm 768 px and up.
WIDE_ONLY = ["none", "none", "flex"]
NARROW_ONLY = ["flex", "flex", "none"]


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.box(_brand(), padding_bottom="1em"),
        *[_nav_item(*item) for item in NAV],
        rx.spacer(),
        _user_box(),
        display=WIDE_ONLY,
        width=styles.SIDEBAR_WIDTH,
        min_width=styles.SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        padding="1.25em 1em",
        border_right="1px solid var(--gray-5)",
        background="var(--gray-2)",
        spacing="1",
    )


def top_bar() -> rx.Component:
    """Phones: the brand and a menu button; the navigation opens as a drawer."""
    return rx.hstack(
        _brand(),
        rx.spacer(),
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(
                    rx.icon("menu"),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Open navigation",
                    data_testid="nav-open",
                )
            ),
            rx.drawer.overlay(z_index="50"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        rx.hstack(
                            _brand(),
                            rx.spacer(),
                            rx.drawer.close(
                                rx.icon_button(
                                    rx.icon("x"),
                                    variant="ghost",
                                    color_scheme="gray",
                                    aria_label="Close navigation",
                                )
                            ),
                            width="100%",
                            align="center",
                            padding_bottom="1em",
                        ),
                        *[_nav_item(*item) for item in NAV],
                        rx.box(_user_box(), padding_top="1.5em", width="100%"),
                        spacing="1",
                        width="100%",
                    ),
                    top="0",
                    left="0",
                    height="100%",
                    width="min(18em, 85vw)",
                    padding="1.25em 1em",
                    background="var(--gray-2)",
                    z_index="51",
                    data_testid="nav-drawer",
                )
            ),
            direction="left",
        ),
        display=NARROW_ONLY,
        width="100%",
        align="center",
        padding="0.75em 1em",
        border_bottom="1px solid var(--gray-5)",
        background="var(--gray-2)",
        position="sticky",
        top="0",
        z_index="10",
    )
