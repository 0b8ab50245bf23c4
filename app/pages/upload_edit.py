"""The Uploads page's edit dialog: a job's title, description, tags, privacy and playlist,
with each field's error under it (app/states/upload_edit.py)."""

from __future__ import annotations

import reflex as rx

from app.components.fields import field_error, label
from app.components.frame import dialog_actions
from app.states.upload_edit import UploadEditState as S


def _field(text: str, name: str, control: rx.Component) -> rx.Component:
    return rx.vstack(label(text), control, field_error(S.errors, name), spacing="1", width="100%")


def edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit job ", S.job_id),
            rx.dialog.description(
                "Changes apply when the job next uploads; retry a failed job after saving.",
                size="2",
            ),
            rx.vstack(
                _field(
                    "Title",
                    "title",
                    rx.input(
                        value=S.title,
                        on_change=lambda v: S.set_field("title", v),
                        width="100%",
                        data_testid="edit-title",
                    ),
                ),
                _field(
                    "Description",
                    "description",
                    rx.text_area(
                        aria_label="Description",
                        value=S.description,
                        on_change=lambda v: S.set_field("description", v),
                        width="100%",
                        rows="4",
                    ),
                ),
                _field(
                    "Tags (comma separated)",
                    "tags",
                    rx.input(
                        value=S.tags, on_change=lambda v: S.set_field("tags", v), width="100%"
                    ),
                ),
                _field(
                    "Privacy",
                    "privacy",
                    rx.select.root(
                        rx.select.trigger(aria_label="Privacy", data_testid="edit-privacy"),
                        rx.select.content(
                            *(rx.select.item(p, value=p) for p in ("private", "unlisted", "public"))
                        ),
                        value=S.privacy,
                        on_change=lambda v: S.set_field("privacy", v),
                    ),
                ),
                _field(
                    "Playlist (optional)",
                    "playlist",
                    rx.input(
                        value=S.playlist,
                        on_change=lambda v: S.set_field("playlist", v),
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
                margin_top="1em",
            ),
            rx.box(dialog_actions("Save", S.save, "edit-save"), margin_top="1em"),
            max_width="560px",
        ),
        open=S.open,
        on_open_change=S.set_open,
    )
