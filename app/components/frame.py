"""The page frame: the navigation (app/components/nav.py), the one-time-password gate, the
title row and the page body; and small parts pages share (stat cards, dialog buttons)."""

from __future__ import annotations

import reflex as rx

from app import styles
from app.components.nav import sidebar, top_bar
from app.states.session import BROWSER_TZ_SCRIPT, SessionState


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


def _password_first() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Set your own password first", size="4"),
            rx.text(
                "The password you signed in with works once. Choose your own on the "
                "Settings page; the dashboard opens after that.",
                size="2",
            ),
            rx.link(
                rx.button("Set my password", color_scheme=styles.BRAND, high_contrast=True),
                href="/settings",
                data_testid="password-first",
            ),
            spacing="3",
        ),
        width="100%",
        max_width="560px",
    )


def frame(title: str, *children: rx.Component, actions: rx.Component | None = None) -> rx.Component:
    """A full page: the navigation (a sidebar, or a top bar on phones), a title row and the
    body."""
    return rx.flex(
        # Learn the browser's time zone once per page, so times show in the viewer's zone.
        rx.box(
            on_mount=rx.call_script(BROWSER_TZ_SCRIPT, callback=SessionState.set_browser_timezone),
            display="none",
        ),
        sidebar(),
        top_bar(),
        rx.box(
            rx.vstack(
                password_banner(),
                rx.hstack(
                    rx.heading(title, size=rx.breakpoints(initial="6", sm="7")),
                    rx.spacer(),
                    actions or rx.fragment(),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                # A one-time password is replaced before anything else: every page but
                # Settings shows only the way there.
                rx.cond(
                    SessionState.must_change_password & (rx.State.router.page.path != "/settings"),  # type: ignore[attr-defined]
                    _password_first(),
                    rx.fragment(*children),
                ),
                spacing="5",
                width="100%",
                max_width=styles.PAGE_MAX_WIDTH,
            ),
            padding=rx.breakpoints(initial="1em", sm="2em"),
            width="100%",
            # A flex item may shrink below its content's width only with this: without it
            # a wide table pushes the page sideways on a phone instead of scrolling itself.
            min_width="0",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        align="start",
        width="100%",
    )


def nothing_yet(what: str, when: str) -> rx.Component:
    """An honest empty state for a part that a later feature fills."""
    return rx.callout(
        f"Nothing here yet: {what} {when}",
        icon="info",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
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
