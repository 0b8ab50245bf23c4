"""Uploads page, the form: files, fields, where and when (the page is app/pages/uploads.py)."""

from __future__ import annotations

import reflex as rx

from app.states.upload_form import UploadFormState
from core.settings import get_settings


def _error(field: str) -> rx.Component:
    return rx.cond(
        UploadFormState.errors.contains(field),
        rx.text(
            UploadFormState.errors[field],
            size="1",
            color="var(--red-11)",
            data_testid=f"error-{field}",
        ),
    )


def _label(text: str) -> rx.Component:
    return rx.text(text, size="2", weight="medium")


def _dropzone(
    upload_id: str,
    prompt: str,
    handler: rx.event.EventHandler,
    progress: rx.event.EventHandler,
    accept: dict[str, list[str]],
    max_size: int,
) -> rx.Component:
    return rx.upload.root(
        rx.vstack(
            rx.icon("cloud-upload", size=22, color="var(--gray-10)"),
            rx.text(prompt, size="2", color="var(--gray-11)"),
            align="center",
            spacing="1",
        ),
        id=upload_id,
        accept=accept,
        max_files=1,
        max_size=max_size,
        on_drop=handler(rx.upload_files_chunk(upload_id=upload_id, on_upload_progress=progress)),
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
            _dropzone(
                "video",
                "Drop a video here or click to choose",
                UploadFormState.receive_video,
                UploadFormState.video_progress,
                {"video/*": [], "application/octet-stream": []},
                get_settings().upload_max_bytes,
            ),
            rx.cond(
                UploadFormState.video_percent > 0,
                rx.progress(value=UploadFormState.video_percent, width="100%"),
            ),
            rx.cond(
                UploadFormState.video_name != "",
                rx.hstack(
                    rx.icon("file-video", size=14),
                    rx.text(
                        UploadFormState.video_name,
                        " · ",
                        UploadFormState.video_info,
                        size="2",
                        data_testid="video-ready",
                    ),
                    align="center",
                    spacing="1",
                ),
            ),
            _error("file"),
            spacing="2",
            width="100%",
        ),
        rx.vstack(
            _label("Thumbnail (optional: JPEG or PNG, up to 50 MB)"),
            _dropzone(
                "thumb",
                "Drop an image here",
                UploadFormState.receive_thumbnail,
                UploadFormState.thumb_progress,
                {"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]},
                52_428_800,
            ),
            rx.cond(
                UploadFormState.thumb_name != "",
                rx.hstack(
                    rx.text(UploadFormState.thumb_name, size="2", data_testid="thumb-ready"),
                    rx.button(
                        "Remove",
                        size="1",
                        variant="ghost",
                        on_click=UploadFormState.clear_thumbnail,
                    ),
                ),
            ),
            _error("thumbnail"),
            spacing="2",
            width="100%",
        ),
        columns="2",
        spacing="4",
        width="100%",
    )


def _text_fields() -> rx.Component:
    return rx.vstack(
        _label("Title"),
        rx.input(
            value=UploadFormState.title,
            max_length=100,
            width="100%",
            on_change=lambda v: UploadFormState.set_field("title", v),
            placeholder="up to 100 characters, no < or >; {channel} for fan-out",
            data_testid="field-title",
        ),
        _error("title"),
        _label("Description"),
        rx.text_area(
            value=UploadFormState.description,
            rows="4",
            width="100%",
            on_change=lambda v: UploadFormState.set_field("description", v),
            data_testid="field-description",
        ),
        _error("description"),
        rx.grid(
            rx.vstack(
                _label("Tags (comma separated)"),
                rx.input(
                    value=UploadFormState.tags,
                    width="100%",
                    on_change=lambda v: UploadFormState.set_field("tags", v),
                ),
                _error("tags"),
                width="100%",
            ),
            rx.vstack(
                _label("Category"),
                rx.select.root(
                    rx.select.trigger(width="100%"),
                    rx.select.content(
                        rx.foreach(
                            UploadFormState.category_options,
                            lambda c: rx.select.item(c["title"], value=c["id"]),
                        )
                    ),
                    value=UploadFormState.category,
                    on_change=lambda v: UploadFormState.set_field("category", v),
                ),
                _error("category_id"),
                width="100%",
            ),
            rx.vstack(
                _label("Privacy"),
                rx.select(
                    ["private", "unlisted", "public"],
                    value=UploadFormState.privacy,
                    on_change=lambda v: UploadFormState.set_field("privacy", v),
                    data_testid="field-privacy",
                ),
                _error("privacy"),
                width="100%",
            ),
            rx.vstack(
                _label("Playlist (optional)"),
                rx.input(
                    value=UploadFormState.playlist,
                    width="100%",
                    placeholder="title; created if missing",
                    on_change=lambda v: UploadFormState.set_field("playlist", v),
                    data_testid="field-playlist",
                ),
                width="100%",
            ),
            columns="4",
            spacing="3",
            width="100%",
        ),
        rx.checkbox(
            "Made for kids",
            checked=UploadFormState.made_for_kids,
            on_change=lambda v: UploadFormState.set_field("made_for_kids", v),
        ),
        spacing="2",
        width="100%",
    )


def _target_fields() -> rx.Component:
    return rx.vstack(
        _label("Where"),
        rx.radio_group.root(
            rx.hstack(
                rx.radio_group.item(value="auto"),
                rx.text("Auto: the healthiest channel"),
                rx.radio_group.item(value="channel"),
                rx.text("One channel"),
                rx.radio_group.item(value="group"),
                rx.text("Best channel of a group"),
                rx.radio_group.item(value="fanout"),
                rx.text("Every channel of a group"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            value=UploadFormState.target,
            on_change=lambda v: UploadFormState.set_field("target", v),
        ),
        rx.cond(
            UploadFormState.target == "channel",
            rx.select.root(
                rx.select.trigger(placeholder="choose a channel", data_testid="field-channel"),
                rx.select.content(
                    rx.foreach(
                        UploadFormState.channels, lambda c: rx.select.item(c["name"], value=c["id"])
                    )
                ),
                value=UploadFormState.channel_id,
                on_change=lambda v: UploadFormState.set_field("channel_id", v),
            ),
        ),
        rx.cond(
            (UploadFormState.target == "group") | (UploadFormState.target == "fanout"),
            rx.select.root(
                rx.select.trigger(placeholder="choose a group"),
                rx.select.content(
                    rx.foreach(UploadFormState.groups, lambda g: rx.select.item(g, value=g))
                ),
                value=UploadFormState.group,
                on_change=lambda v: UploadFormState.set_field("group", v),
            ),
        ),
        rx.cond(
            UploadFormState.fanout_preview.length() > 0,
            rx.vstack(
                rx.text("One upload per channel, titled:", size="1", color="var(--gray-11)"),
                rx.foreach(UploadFormState.fanout_preview, lambda t: rx.text("• ", t, size="1")),
                spacing="0",
            ),
        ),
        _error("target"),
        spacing="2",
        width="100%",
    )


def _when_fields() -> rx.Component:
    return rx.vstack(
        _label("When"),
        rx.hstack(
            rx.input(
                value=UploadFormState.when_text,
                on_change=UploadFormState.set_when,
                placeholder="now · tomorrow 9am · next friday 6pm · in 2 hours · "
                "2026-12-01 14:30 Europe/Berlin",
                width="420px",
                data_testid="field-when",
            ),
            rx.radio_group.root(
                rx.hstack(
                    rx.radio_group.item(value="upload_at"),
                    rx.text("Upload then"),
                    rx.radio_group.item(value="publish_at"),
                    rx.text("Upload now as private; YouTube publishes then"),
                    spacing="2",
                    align="center",
                ),
                value=UploadFormState.mode,
                on_change=UploadFormState.set_mode,
            ),
            spacing="4",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            UploadFormState.when_display != "",
            rx.hstack(
                rx.icon("clock", size=14, color="var(--green-11)"),
                rx.text(
                    UploadFormState.when_display,
                    size="2",
                    color="var(--green-11)",
                    data_testid="when-display",
                ),
                align="center",
                spacing="1",
            ),
        ),
        _error("when"),
        spacing="2",
        width="100%",
    )


def schedule_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Schedule an upload", size="4"),
            _file_fields(),
            _text_fields(),
            rx.grid(_target_fields(), _when_fields(), columns="2", spacing="4", width="100%"),
            rx.hstack(
                rx.spacer(),
                rx.button(
                    rx.icon("calendar-plus"),
                    "Schedule upload",
                    size="3",
                    on_click=UploadFormState.submit,
                    data_testid="schedule-submit",
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )
