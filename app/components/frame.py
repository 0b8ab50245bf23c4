"""The page frame: sidebar navigation, the signed-in user, and the page body."""

from __future__ import annotations

import reflex as rx

from app import styles
from app.components.native_form import native_form
from app.states.session import BROWSER_TZ_SCRIPT, SessionState

NAV = [
    ("Overview", "/", "layout-dashboard"),
    ("Channels", "/channels", "tv"),
    ("Uploads", "/uploads", "upload"),
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
        width=rx.breakpoints(initial="auto", sm="100%"),
        background=rx.cond(active, "var(--accent-4)", "transparent"),
        _hover={"background": "var(--gray-4)"},
        data_testid=f"nav-{label.lower()}",
    )


def _user_box() -> rx.Component:
    return rx.flex(
        rx.text(SessionState.email, size="2", weight="medium", data_testid="user-email"),
        rx.badge(SessionState.role, variant="soft"),
        native_form(
            rx.button(
                rx.icon("log-out", size=14),
                "Log out",
                type="submit",
                size="1",
                variant="outline",
                width=rx.breakpoints(initial="auto", sm="100%"),
            ),
            action="/auth/logout",
            method="post",
            width=rx.breakpoints(initial="auto", sm="100%"),
        ),
        direction=rx.breakpoints(initial="row", sm="column"),
        wrap="wrap",
        gap="2",
        width="100%",
        align=rx.breakpoints(initial="center", sm="start"),
    )


def sidebar() -> rx.Component:
    """A column on the left; on a phone (below the sm breakpoint) a bar across the top whose
    links wrap, so the page keeps the whole width of the screen."""
    return rx.flex(
        rx.hstack(
            rx.icon("play", color="var(--accent-9)"),
            rx.heading("TubeFleet", size="5"),
            align="center",
            padding_bottom=rx.breakpoints(initial="0.5em", sm="1em"),
        ),
        rx.flex(
            *[_nav_item(*item) for item in NAV],
            direction=rx.breakpoints(initial="row", sm="column"),
            wrap="wrap",
            gap="1",
            width="100%",
        ),
        rx.spacer(),
        _user_box(),
        direction="column",
        gap="1",
        width=rx.breakpoints(initial="100%", sm=styles.SIDEBAR_WIDTH),
        min_width=rx.breakpoints(initial="0", sm=styles.SIDEBAR_WIDTH),
        height=rx.breakpoints(initial="auto", sm="100vh"),
        position=rx.breakpoints(initial="static", sm="sticky"),
        top="0",
        padding=rx.breakpoints(initial="0.75em 1em", sm="1.25em 1em"),
        border_right=rx.breakpoints(initial="none", sm="1px solid var(--gray-5)"),
        border_bottom=rx.breakpoints(initial="1px solid var(--gray-5)", sm="none"),
        background="var(--gray-2)",
    )


def password_banner() -> rx.Component:
    return rx.cond(
        SessionState.must_change_password,
        rx.callout(
            rx.hstack(
                rx.text("You signed in with a one-time password. "),
                rx.link("Set your own password now.", href="/settings"),
            ),
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
    )


def frame(title: str, *children: rx.Component, actions: rx.Component | None = None) -> rx.Component:
    """A full page: sidebar on the left (on a phone, on top), a title row and the body."""
    return rx.flex(
        # Learn the browser's time zone once per page, so times show in the viewer's zone.
        rx.box(
            on_mount=rx.call_script(BROWSER_TZ_SCRIPT, callback=SessionState.set_browser_timezone),
            display="none",
        ),
        sidebar(),
        rx.box(
            rx.vstack(
                password_banner(),
                rx.hstack(
                    rx.heading(title, size="7"),
                    rx.spacer(),
                    actions or rx.fragment(),
                    width="100%",
                    align="center",
                ),
                *children,
                spacing="5",
                width="100%",
                max_width=styles.PAGE_MAX_WIDTH,
            ),
            padding=rx.breakpoints(initial="1em", sm="2em"),
            width="100%",
            min_width="0",  # a wide table scrolls inside its card, not the page
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        align="start",
        width="100%",
    )


def nothing_yet(what: str, when: str) -> rx.Component:
    """An honest empty state for a part that a later feature fills."""
    return rx.callout(
        f"Nothing here yet: {what} {when}", icon="info", color_scheme="gray", width="100%"
    )


def stat_card(
    label: str, value: rx.Var | str | int, hint: rx.Var | str = "", testid: str = ""
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", style=styles.muted),
            rx.text(value, style=styles.stat_number, data_testid=testid or None),
            rx.text(hint, size="1", style=styles.muted),
            spacing="1",
        ),
        style=styles.card,
    )


def dialog_actions(
    label: str, on_click: rx.event.EventHandler | rx.event.EventSpec, testid: str | None = None
) -> rx.Component:
    """A dialog's Cancel (closes it) and its confirming button, right-aligned."""
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
        rx.button(label, on_click=on_click, data_testid=testid),
        justify="end",
        width="100%",
    )


def counts_row(
    values: rx.Var, items: list[tuple[str, str, str]], testid_prefix: str, size: str = "6"
) -> rx.Component:
    """Big numbers in a row, each with its label: items are (key, label, color)."""
    return rx.hstack(
        *[
            rx.vstack(
                rx.text(
                    values[key],
                    size=size,
                    weight="bold",
                    color=f"var(--{color}-11)",
                    data_testid=f"{testid_prefix}-{key}",
                ),
                rx.text(label, size="1", color="var(--gray-11)"),
                spacing="0",
            )
            for key, label, color in items
        ],
        spacing="5",
        wrap="wrap",
    )
