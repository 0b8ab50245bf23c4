"""Uploads: schedule a video (the form, app/pages/upload_form.py) and follow the queue live."""

from __future__ import annotations

import reflex as rx

from app.components.filters import filter_select
from app.components.frame import dialog_actions, frame
from app.components.pager import pager, search_box
from app.components.poller import poller
from app.pages.registry import page
from app.pages.upload_edit import edit_dialog
from app.pages.upload_form import schedule_card
from app.states.upload_edit import UploadEditState
from app.states.upload_form import UploadFormState
from app.states.upload_queue import UploadQueueState
from app.views import labels


def _progress(r: rx.Var) -> rx.Component:
    p = UploadQueueState.progress[r["id"].to(str)]
    percent = UploadQueueState.percent[r["id"].to(str)]
    return rx.vstack(
        # Shown once bytes move; the value is a number (a string would draw an
        # indeterminate bar).
        rx.cond(
            percent > 0,
            rx.progress(value=percent, max=100, width="140px", data_testid="job-progress"),
        ),
        rx.text(p["bytes"], size="1"),
        rx.cond(
            p["speed"] != "",
            rx.text(p["speed"], " · ETA ", p["eta"], size="1", data_testid="job-speed"),
        ),
        spacing="1",
    )


def _queue_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=UploadQueueState.selected.contains(r["id"]),
                on_change=lambda on: UploadQueueState.toggle(r["id"], on),
                disabled=r["can_cancel"] != "yes",
                aria_label="Select job " + r["id"].to(str),
                data_testid="job-select",
            )
        ),
        rx.table.cell(r["id"]),
        rx.table.cell(
            rx.vstack(
                rx.text(r["title"], weight="medium"),
                rx.text(r["file"], " · by ", r["by"], size="1", color="var(--gray-11)"),
                spacing="0",
            )
        ),
        rx.table.cell(r["channel"]),
        rx.table.cell(r["when"]),
        rx.table.cell(
            rx.vstack(
                rx.badge(
                    r["state_label"],
                    color_scheme=r["color"],
                    high_contrast=True,
                    data_testid="job-state",
                ),
                rx.text(r["reason"], size="1", color="var(--gray-11)"),
                rx.cond(
                    r["warning"] != "", rx.text(r["warning"], size="1", color="var(--amber-11)")
                ),
                rx.cond(r["error"] != "", rx.text(r["error"], size="1", color="var(--red-11)")),
                spacing="1",
                max_width="280px",
            )
        ),
        rx.table.cell(_progress(r)),
        rx.table.cell(
            rx.cond(
                r["video"] != "",
                rx.link(
                    rx.code(r["video"], data_testid="job-video"),
                    href="https://www.youtube.com/watch?v=" + r["video"].to(str),
                    is_external=True,
                ),
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "History",
                    size="1",
                    variant="ghost",
                    on_click=UploadQueueState.show_history(r["id"]),
                ),
                rx.cond(
                    r["can_edit"] == "yes",
                    rx.button(
                        "Edit",
                        size="1",
                        variant="ghost",
                        on_click=UploadEditState.start(r["id"]),
                        data_testid="job-edit",
                    ),
                ),
                rx.cond(
                    r["can_reschedule"] == "yes",
                    rx.button(
                        "Reschedule",
                        size="1",
                        variant="ghost",
                        on_click=UploadQueueState.open_reschedule(r["id"]),
                    ),
                ),
                rx.cond(
                    r["can_retry"] == "yes",
                    rx.button(
                        "Retry", size="1", variant="soft", on_click=UploadQueueState.retry(r["id"])
                    ),
                ),
                rx.cond(
                    r["can_cancel"] == "yes",
                    rx.button(
                        "Cancel",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=UploadQueueState.cancel(r["id"]),
                    ),
                ),
                spacing="1",
            )
        ),
        data_testid="job-row",
    )


def _queue_filters() -> rx.Component:
    # The channels and groups to choose from are the form's.
    return rx.hstack(
        filter_select(
            UploadQueueState.filter_state,
            lambda v: UploadQueueState.set_filter("state", v),
            all_text="all states",
            fixed=labels.job_state_choices(),
        ),
        filter_select(
            UploadQueueState.filter_channel,
            lambda v: UploadQueueState.set_filter("channel", v),
            all_text="all channels",
            options=UploadFormState.channels,
        ),
        filter_select(
            UploadQueueState.filter_group,
            lambda v: UploadQueueState.set_filter("group", v),
            all_text="all groups",
            values=UploadFormState.groups,
        ),
        rx.input(
            type="date",
            aria_label="Filter: scheduled on this day",
            value=UploadQueueState.filter_day,
            size="1",
            on_change=lambda v: UploadQueueState.set_filter("day", v),
        ),
        search_box(UploadQueueState, "Search title, file, id", "queue-search"),
        spacing="3",
        wrap="wrap",
        align="center",
    )


def _dialogs() -> rx.Component:
    return rx.fragment(
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(UploadQueueState.history_title),
                rx.table.root(
                    rx.table.body(
                        rx.foreach(
                            UploadQueueState.history,
                            lambda e: rx.table.row(
                                rx.table.cell(e["at"]),
                                rx.table.cell(rx.badge(e["to"])),
                                rx.table.cell(e["message"]),
                                rx.table.cell(e["actor"]),
                            ),
                        )
                    ),
                    size="1",
                ),
                rx.dialog.close(rx.button("Close", variant="soft", margin_top="1em")),
                max_width="760px",
            ),
            open=UploadQueueState.history_open,
            on_open_change=UploadQueueState.set_history_open,
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Reschedule"),
                rx.input(
                    value=UploadQueueState.reschedule_text,
                    on_change=UploadQueueState.set_reschedule_text,
                    placeholder="tomorrow 9am",
                ),
                rx.text(UploadQueueState.reschedule_display, size="2", margin_top="0.5em"),
                rx.box(dialog_actions("Reschedule", UploadQueueState.reschedule), margin_top="1em"),
            ),
            open=UploadQueueState.reschedule_open,
            on_open_change=UploadQueueState.set_reschedule_open,
        ),
    )


def queue_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Queue", size="4"),
                rx.spacer(),
                _queue_filters(),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                UploadQueueState.selected.length() > 0,
                rx.hstack(
                    rx.text(UploadQueueState.selected.length(), " selected", size="2"),
                    rx.button(
                        "Cancel selected",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=UploadQueueState.cancel_selected,
                        data_testid="bulk-cancel",
                    ),
                    rx.button(
                        "Clear",
                        size="1",
                        variant="ghost",
                        on_click=UploadQueueState.clear_selection,
                    ),
                    align="center",
                    spacing="3",
                ),
            ),
            rx.cond(
                UploadQueueState.rows.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    "",
                                    "#",
                                    "Video",
                                    "Channel",
                                    "Scheduled",
                                    "State",
                                    "Progress",
                                    "YouTube id",
                                    "",
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(UploadQueueState.rows, _queue_row)),
                    size="1",
                    width="100%",
                ),
                rx.text("No upload jobs match.", color="var(--gray-11)"),
            ),
            pager(UploadQueueState, "queue"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@page("/uploads", "Uploads", on_load=[UploadFormState.load, UploadQueueState.load])
def uploads_page() -> rx.Component:
    return frame(
        "Uploads",
        poller(UploadQueueState.refresh, 2000),
        schedule_card(),
        queue_card(),
        _dialogs(),
        edit_dialog(),
    )
