"""Uploads form, the files: the video and the thumbnail, each dropped in and sent in
chunks, with its progress (the form is app/pages/upload_form.py)."""

from __future__ import annotations

import reflex as rx

from app.components.fields import field_error, label
from app.states.upload_form import UploadFormState
from core.settings import get_settings


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


def file_fields() -> rx.Component:
    return rx.grid(
        rx.vstack(
            label("Video file"),
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
            field_error(UploadFormState.errors, "file"),
            spacing="2",
            width="100%",
        ),
        rx.vstack(
            label("Thumbnail (optional: JPEG or PNG, up to 50 MB)"),
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
            field_error(UploadFormState.errors, "thumbnail"),
            spacing="2",
            width="100%",
        ),
        columns=rx.breakpoints(initial="1", xs="2"),
        spacing="4",
        width="100%",
    )
