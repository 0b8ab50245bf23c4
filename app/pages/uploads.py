"""Uploads: schedule a video (form) and follow the queue live."""

from __future__ import annotations

import reflex as rx

from app.components.frame import dialog_actions, page
from app.components.poller import poller
from app.states.uploads import UploadsState
from core.settings import get_settings
from models import UploadState

QUEUE_STATES = [s.value for s in UploadState]


def _error(field: str) -> rx.Component:
    return rx.cond(UploadsState.errors.contains(field),
                   rx.text(UploadsState.errors[field], size="1", color="var(--red-11)",
                           data_testid=f"error-{field}"))


def _label(text: str) -> rx.Component:
    return rx.text(text, size="2", weight="medium")


def _dropzone(upload_id: str, prompt: str, handler: rx.event.EventHandler,
              progress: rx.event.EventHandler, accept: dict[str, list[str]],
              max_size: int) -> rx.Component:
    return rx.upload.root(
        rx.vstack(rx.icon("cloud-upload", size=22, color="var(--gray-10)"),
                  rx.text(prompt, size="2", color="var(--gray-11)"),
                  align="center", spacing="1"),
        id=upload_id,
        accept=accept,
        max_files=1,
        max_size=max_size,
        on_drop=handler(rx.upload_files_chunk(upload_id=upload_id,
                                              on_upload_progress=progress)),
        border="1px dashed var(--gray-7)",
        border_radius="var(--radius-3)",
        padding="1em",
        cursor="pointer",
        width="100%",
        data_testid=f"drop-{upload_id}",
    )


def _file_fields() -> rx.Component:
    return rx.grid(
        rx.vstack(
            _label("Video file"),
            _dropzone("video", "Drop a video here or click to choose",
                      UploadsState.receive_video, UploadsState.video_progress,
                      {"video/*": [], "application/octet-stream": []},
                      get_settings().upload_max_bytes),
            rx.cond(UploadsState.video_percent > 0,
                    rx.progress(value=UploadsState.video_percent, width="100%")),
            rx.cond(UploadsState.video_name != "",
                    rx.hstack(rx.icon("file-video", size=14),
                              rx.text(UploadsState.video_name, " · ", UploadsState.video_info,
                                      size="2", data_testid="video-ready"),
                              align="center", spacing="1")),
            _error("file"),
            spacing="2", width="100%",
        ),
        rx.vstack(
            _label("Thumbnail (optional: JPEG or PNG, up to 50 MB)"),
            _dropzone("thumb", "Drop an image here", UploadsState.receive_thumbnail,
                      UploadsState.thumb_progress,
                      {"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]}, 52_428_800),
            rx.cond(UploadsState.thumb_name != "",
                    rx.hstack(rx.text(UploadsState.thumb_name, size="2",
                                      data_testid="thumb-ready"),
                              rx.button("Remove", size="1", variant="ghost",
                                        on_click=UploadsState.clear_thumbnail))),
            _error("thumbnail"),
            spacing="2", width="100%",
        ),
        columns="2", spacing="4", width="100%",
    )


def _text_fields() -> rx.Component:
    return rx.vstack(
        _label("Title"),
        rx.input(value=UploadsState.title, max_length=100, width="100%",
                 on_change=lambda v: UploadsState.set_field("title", v),
                 placeholder="up to 100 characters, no < or >; {channel} for fan-out",
                 data_testid="field-title"),
        _error("title"),
        _label("Description"),
        rx.text_area(value=UploadsState.description, rows="4", width="100%",
                     on_change=lambda v: UploadsState.set_field("description", v),
                     data_testid="field-description"),
        _error("description"),
        rx.grid(
            rx.vstack(_label("Tags (comma separated)"),
                      rx.input(value=UploadsState.tags, width="100%",
                               on_change=lambda v: UploadsState.set_field("tags", v)),
                      _error("tags"), width="100%"),
            rx.vstack(_label("Category"),
                      rx.select.root(
                          rx.select.trigger(width="100%"),
                          rx.select.content(rx.foreach(
                              UploadsState.category_options,
                              lambda c: rx.select.item(c["title"], value=c["id"]))),
                          value=UploadsState.category,
                          on_change=lambda v: UploadsState.set_field("category", v)),
                      _error("category_id"), width="100%"),
            rx.vstack(_label("Privacy"),
                      rx.select(["private", "unlisted", "public"], value=UploadsState.privacy,
                                on_change=lambda v: UploadsState.set_field("privacy", v),
                                data_testid="field-privacy"),
                      _error("privacy"), width="100%"),
            rx.vstack(_label("Playlist (optional)"),
                      rx.input(value=UploadsState.playlist, width="100%",
                               placeholder="title; created if missing",
                               on_change=lambda v: UploadsState.set_field("playlist", v),
                               data_testid="field-playlist"), width="100%"),
            columns="4", spacing="3", width="100%",
        ),
        rx.checkbox("Made for kids", checked=UploadsState.made_for_kids,
                    on_change=lambda v: UploadsState.set_field("made_for_kids", v)),
        spacing="2", width="100%",
    )


def _target_fields() -> rx.Component:
    return rx.vstack(
        _label("Where"),
        rx.radio_group.root(
            rx.hstack(
                rx.radio_group.item(value="auto"), rx.text("Auto: the healthiest channel"),
                rx.radio_group.item(value="channel"), rx.text("One channel"),
                rx.radio_group.item(value="group"), rx.text("Best channel of a group"),
                rx.radio_group.item(value="fanout"), rx.text("Every channel of a group"),
                spacing="2", align="center", wrap="wrap",
            ),
            value=UploadsState.target,
            on_change=lambda v: UploadsState.set_field("target", v),
        ),
        rx.cond(UploadsState.target == "channel", rx.select.root(
            rx.select.trigger(placeholder="choose a channel", data_testid="field-channel"),
            rx.select.content(rx.foreach(UploadsState.channels, lambda c: rx.select.item(
                c["title"], value=c["id"]))),
            value=UploadsState.channel_id,
            on_change=lambda v: UploadsState.set_field("channel_id", v))),
        rx.cond((UploadsState.target == "group") | (UploadsState.target == "fanout"),
                rx.select.root(
                    rx.select.trigger(placeholder="choose a group"),
                    rx.select.content(rx.foreach(UploadsState.groups,
                                                 lambda g: rx.select.item(g, value=g))),
                    value=UploadsState.group,
                    on_change=lambda v: UploadsState.set_field("group", v))),
        rx.cond(UploadsState.fanout_preview.length() > 0, rx.vstack(
            rx.text("One upload per channel, titled:", size="1", color="var(--gray-11)"),
            rx.foreach(UploadsState.fanout_preview, lambda t: rx.text("• ", t, size="1")),
            spacing="0")),
        _error("target"),
        spacing="2", width="100%",
    )


def _when_fields() -> rx.Component:
    return rx.vstack(
        _label("When"),
        rx.hstack(
            rx.input(value=UploadsState.when_text, on_change=UploadsState.set_when,
                     placeholder='now · tomorrow 9am · next friday 6pm · in 2 hours · '
                                 '2026-12-01 14:30 Europe/Berlin',
                     width="420px", data_testid="field-when"),
            rx.radio_group.root(
                rx.hstack(rx.radio_group.item(value="upload_at"), rx.text("Upload then"),
                          rx.radio_group.item(value="publish_at"),
                          rx.text("Upload now as private; YouTube publishes then"),
                          spacing="2", align="center"),
                value=UploadsState.mode, on_change=UploadsState.set_mode),
            spacing="4", align="center", wrap="wrap",
        ),
        rx.cond(UploadsState.when_display != "",
                rx.hstack(rx.icon("clock", size=14, color="var(--green-11)"),
                          rx.text(UploadsState.when_display, size="2", color="var(--green-11)",
                                  data_testid="when-display"),
                          align="center", spacing="1")),
        _error("when"),
        spacing="2", width="100%",
    )


def schedule_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Schedule an upload", size="4"),
            _file_fields(),
            _text_fields(),
            rx.grid(_target_fields(), _when_fields(), columns="2", spacing="4", width="100%"),
            rx.hstack(rx.spacer(), rx.button(rx.icon("calendar-plus"), "Schedule upload",
                                             size="3", on_click=UploadsState.submit,
                                             data_testid="schedule-submit"), width="100%"),
            spacing="4", width="100%",
        ),
        width="100%",
    )


def _queue_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["id"]),
        rx.table.cell(rx.vstack(rx.text(r["title"], weight="medium"),
                                rx.text(r["file"], " · by ", r["by"], size="1",
                                        color="var(--gray-11)"),
                                spacing="0")),
        rx.table.cell(r["channel"]),
        rx.table.cell(r["when"]),
        rx.table.cell(rx.vstack(
            rx.badge(r["state"], color_scheme=r["color"], data_testid="job-state"),
            rx.text(r["reason"], size="1", color="var(--gray-11)"),
            rx.cond(r["warning"] != "", rx.text(r["warning"], size="1",
                                                color="var(--amber-11)")),
            rx.cond(r["error"] != "", rx.text(r["error"], size="1", color="var(--red-11)")),
            spacing="1", max_width="280px")),
        rx.table.cell(rx.vstack(
            # Radix refuses 0 (it would draw an indeterminate bar): show the bar once moving.
            rx.cond(r["percent"] != "0", rx.progress(value=r["percent"].to(int), width="140px")),
            rx.text(r["bytes"], size="1"),
            rx.cond(r["speed"] != "", rx.text(r["speed"], " · ETA ", r["eta"], size="1",
                                              data_testid="job-speed")),
            spacing="1")),
        rx.table.cell(rx.cond(r["video"] != "", rx.code(r["video"], data_testid="job-video"))),
        rx.table.cell(rx.hstack(
            rx.button("History", size="1", variant="ghost",
                      on_click=UploadsState.show_history(r["id"])),
            rx.cond(r["can_reschedule"] == "yes",
                    rx.button("Reschedule", size="1", variant="ghost",
                              on_click=UploadsState.open_reschedule(r["id"]))),
            rx.cond(r["can_retry"] == "yes",
                    rx.button("Retry", size="1", variant="soft",
                              on_click=UploadsState.retry(r["id"]))),
            rx.cond(r["can_cancel"] == "yes",
                    rx.button("Cancel", size="1", variant="soft", color_scheme="red",
                              on_click=UploadsState.cancel(r["id"]))),
            spacing="1")),
        data_testid="job-row",
    )


def _queue_filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(rx.select.trigger(), rx.select.content(
            rx.select.item("all states", value="all"),
            *[rx.select.item(s, value=s) for s in QUEUE_STATES]),
            value=UploadsState.filter_state, size="1",
            on_change=lambda v: UploadsState.set_filter("state", v)),
        rx.select.root(rx.select.trigger(), rx.select.content(
            rx.select.item("all channels", value="all"),
            rx.foreach(UploadsState.channels, lambda c: rx.select.item(c["title"],
                                                                        value=c["id"]))),
            value=UploadsState.filter_channel, size="1",
            on_change=lambda v: UploadsState.set_filter("channel", v)),
        rx.select.root(rx.select.trigger(), rx.select.content(
            rx.select.item("all groups", value="all"),
            rx.foreach(UploadsState.groups, lambda g: rx.select.item(g, value=g))),
            value=UploadsState.filter_group, size="1",
            on_change=lambda v: UploadsState.set_filter("group", v)),
        rx.input(type="date", value=UploadsState.filter_day, size="1",
                 on_change=lambda v: UploadsState.set_filter("day", v)),
        spacing="3",
    )


def _dialogs() -> rx.Component:
    return rx.fragment(
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title(UploadsState.history_title),
            rx.table.root(rx.table.body(rx.foreach(UploadsState.history, lambda e:
                rx.table.row(rx.table.cell(e["at"]), rx.table.cell(rx.badge(e["to"])),
                             rx.table.cell(e["message"]), rx.table.cell(e["actor"])))),
                size="1"),
            rx.dialog.close(rx.button("Close", variant="soft", margin_top="1em")),
            max_width="760px"),
            open=UploadsState.history_open, on_open_change=UploadsState.set_history_open),
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title("Reschedule"),
            rx.input(value=UploadsState.reschedule_text,
                     on_change=UploadsState.set_reschedule_text, placeholder="tomorrow 9am"),
            rx.text(UploadsState.reschedule_display, size="2", margin_top="0.5em"),
            rx.box(dialog_actions("Reschedule", UploadsState.reschedule), margin_top="1em")),
            open=UploadsState.reschedule_open, on_open_change=UploadsState.set_reschedule_open),
    )


def queue_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading("Queue", size="4"), rx.spacer(), _queue_filters(),
                      width="100%", align="center"),
            rx.cond(UploadsState.rows.length() > 0,
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                            "#", "Video", "Channel", "Scheduled", "State", "Progress",
                            "YouTube id", "")])),
                        rx.table.body(rx.foreach(UploadsState.rows, _queue_row)),
                        size="1", width="100%"),
                    rx.text("No upload jobs match.", color="var(--gray-11)")),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def uploads_page() -> rx.Component:
    return page("Uploads", poller(UploadsState.refresh, 2000), schedule_card(), queue_card(),
                _dialogs())


def add_to(app: rx.App) -> None:
    app.add_page(uploads_page, route="/uploads", title="Uploads · TubeFleet",
                 on_load=UploadsState.load)
