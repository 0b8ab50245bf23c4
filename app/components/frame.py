"""The page frame: navigation, the signed-in user, and the page body.

At 768 px and wider the navigation is a sidebar; narrower (phones) it folds into a top bar
whose menu button opens it as a drawer, and the body takes the whole width."""

from __future__ import annotations

import reflex as rx

from app import styles
from app.components.native_form import native_form
from app.states.session import BROWSER_TZ_SCRIPT, SessionState

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
                rx.button("Set my password", color_scheme=styles.BRAND),
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
