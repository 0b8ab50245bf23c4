"""Channels: the pool with its health, filters, connect/reconnect and per-channel settings."""

from __future__ import annotations

import reflex as rx

from app import styles
from app.components.filters import filter_select
from app.components.frame import dialog_actions, frame
from app.components.pager import pager, search_box
from app.components.poller import poller
from app.pages.registry import page
from app.states.channels import ChannelsState
from app.views import labels


def _count(label: str, key: str, color: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color="var(--gray-11)"),
            rx.text(ChannelsState.counts[key], size="6", weight="bold", data_testid=f"count-{key}"),
            spacing="0",
        ),
        border_left=f"4px solid var(--{color}-9)",
        min_width="120px",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        filter_select(
            ChannelsState.filter_state,
            lambda v: ChannelsState.set_filter("state", v),
            label="State",
            fixed=labels.channel_state_choices(),
            testid="filter-state",
        ),
        filter_select(
            ChannelsState.filter_group,
            lambda v: ChannelsState.set_filter("group", v),
            label="Group",
            values=ChannelsState.groups,
            testid="filter-group",
        ),
        filter_select(
            ChannelsState.filter_project,
            lambda v: ChannelsState.set_filter("project", v),
            label="Project",
            options=ChannelsState.projects,
        ),
        search_box(ChannelsState, "Search title, handle or id", "channels-search"),
        spacing="5",
        wrap="wrap",
        align="center",
    )


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                # Decorative: the channel's title is beside it.
                rx.avatar(
                    src=r["thumbnail"],
                    fallback=r["title"].to(str)[0:2],
                    size="2",
                    radius="full",
                    aria_hidden="true",
                ),
                rx.vstack(
                    rx.text(r["title"], weight="medium"),
                    rx.text(r["handle"], size="1", color="var(--gray-11)"),
                    spacing="0",
                ),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(
            rx.badge(
                r["state_label"],
                color_scheme=r["state_color"],
                high_contrast=True,
                data_testid="channel-state",
            )
        ),
        rx.table.cell(r["group"]),
        rx.table.cell(r["project"]),
        rx.table.cell(r["expires"]),
        rx.table.cell(r["uploads"]),
        rx.table.cell(r["quota"]),
        rx.table.cell(rx.tooltip(rx.text(r["score"]), content=r["score_detail"])),
        rx.table.cell(rx.text(r["capabilities"], size="1")),
        rx.table.cell(rx.text(r["error"], size="1", color="var(--red-11)"), max_width="220px"),
        rx.table.cell(
            # Operators and admins change channels; marketers see no buttons they can't use.
            rx.cond(
                ChannelsState.role != "marketer",
                _row_actions(r),
            )
        ),
        data_testid="channel-row",
    )


def _row_actions(r: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(
            r["state"] == "needs_reauth",
            rx.button(
                "Reconnect",
                size="1",
                color_scheme="red",
                on_click=ChannelsState.reconnect(r["id"]),
            ),
            rx.button(
                "Reconnect",
                size="1",
                variant="ghost",
                on_click=ChannelsState.reconnect(r["id"]),
            ),
        ),
        rx.button(
            "Edit",
            size="1",
            variant="soft",
            on_click=ChannelsState.open_edit(r["id"]),
            data_testid="channel-edit",
        ),
        spacing="2",
    )


def _table() -> rx.Component:
    headers = [
        "Channel",
        "State",
        "Group",
        "Project",
        "Token expires",
        "Uploads today",
        "Quota units today",
        "Score",
        "Can",
        "Last error",
        "",
    ]
    return rx.cond(
        ChannelsState.rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(ChannelsState.rows, _row)),
            width="100%",
            size="1",
            variant="surface",
        ),
        rx.callout(
            "No channels match. Connect one with the button above.",
            icon="info",
            color_scheme="gray",
            width="100%",
        ),
    )


def _connect_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Connect a YouTube channel"),
            rx.dialog.description(
                "You will pick the Google account and channel on Google's consent page "
                "(Brand Account channels are listed there too). The channel's quota is "
                "counted against the project you choose.",
                size="2",
            ),
            rx.vstack(
                rx.text("Google Cloud project", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label="Google Cloud project"),
                    rx.select.content(
                        rx.foreach(
                            ChannelsState.projects,
                            lambda p: rx.select.item(p["name"], value=p["id"]),
                        )
                    ),
                    value=ChannelsState.connect_project,
                    on_change=ChannelsState.set_connect_project,
                ),
                rx.text("Group (optional)", size="2", weight="medium"),
                rx.input(
                    value=ChannelsState.connect_group,
                    placeholder="e.g. Client A",
                    on_change=ChannelsState.set_connect_group,
                    width="100%",
                ),
                dialog_actions(
                    "Continue to Google", ChannelsState.start_connect, "connect-continue"
                ),
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=ChannelsState.connect_open,
        on_open_change=ChannelsState.set_connect_open,
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(ChannelsState.edit_title),
            rx.vstack(
                rx.text("State", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(aria_label="State"),
                    rx.select.content(
                        *(
                            rx.select.item(words, value=value)
                            for value, words in labels.channel_state_choices(editable_only=True)
                        )
                    ),
                    value=ChannelsState.edit_state,
                    on_change=ChannelsState.set_edit_state,
                ),
                rx.text("Group", size="2", weight="medium"),
                rx.input(value=ChannelsState.edit_group, on_change=ChannelsState.set_edit_group),
                rx.text("Daily upload cap", size="2", weight="medium"),
                rx.input(
                    value=ChannelsState.edit_cap,
                    type="number",
                    on_change=ChannelsState.set_edit_cap,
                ),
                rx.cond(
                    ChannelsState.edit_error != "",
                    rx.callout(ChannelsState.edit_error, color_scheme="red", size="1"),
                ),
                dialog_actions("Save", ChannelsState.save_edit),
                spacing="3",
            ),
        ),
        open=ChannelsState.edit_open,
        on_open_change=ChannelsState.set_edit_open,
    )


@page("/channels", "Channels", on_load=ChannelsState.load)
def channels_page() -> rx.Component:
    return frame(
        "Channels",
        poller(ChannelsState.refresh, 10_000),
        rx.cond(
            ChannelsState.banner != "",
            rx.cond(
                ChannelsState.banner_ok,
                rx.callout(
                    ChannelsState.banner,
                    width="100%",
                    icon="circle-check",
                    color_scheme="green",
                    data_testid="connect-banner",
                ),
                rx.callout(
                    ChannelsState.banner,
                    width="100%",
                    icon="circle-x",
                    color_scheme="red",
                    data_testid="connect-banner",
                ),
            ),
        ),
        rx.hstack(
            _count("Active", "active", "green"),
            _count("Reserve", "reserve", "blue"),
            _count("Paused", "paused", "gray"),
            _count("Needs re-consent", "needs_reauth", "red"),
            _count("Disabled", "disabled", "gray"),
            spacing="3",
            wrap="wrap",
        ),
        _filters(),
        _table(),
        pager(ChannelsState, "channels"),
        _connect_dialog(),
        _edit_dialog(),
        actions=rx.cond(
            ChannelsState.role != "marketer",
            rx.button(
                rx.icon("plus"),
                "Connect channel",
                on_click=ChannelsState.open_connect,
                color_scheme=styles.BRAND,
                high_contrast=True,
                data_testid="connect-channel",
            ),
        ),
    )
