"""Uploads form, the details YouTube shows: title, description, tags, category, privacy,
playlist, made for kids (the form is app/pages/upload_form.py)."""

from __future__ import annotations

import reflex as rx

from app.components.fields import field_error, label
from app.states.upload_form import UploadFormState


def detail_fields() -> rx.Component:
    return rx.vstack(
        label("Title"),
        rx.input(
            value=UploadFormState.title,
            aria_label="Title",
            max_length=100,
            width="100%",
            on_change=lambda v: UploadFormState.set_field("title", v),
            placeholder="up to 100 characters, no < or >; {channel} for fan-out",
            data_testid="field-title",
        ),
        field_error(UploadFormState.errors, "title"),
        label("Description"),
        rx.text_area(
            aria_label="Description",
            value=UploadFormState.description,
            rows="4",
            width="100%",
            on_change=lambda v: UploadFormState.set_field("description", v),
            data_testid="field-description",
        ),
        field_error(UploadFormState.errors, "description"),
        rx.grid(
            rx.vstack(
                label("Tags (comma separated)"),
                rx.input(
                    value=UploadFormState.tags,
                    aria_label="Tags",
                    width="100%",
                    on_change=lambda v: UploadFormState.set_field("tags", v),
                ),
                field_error(UploadFormState.errors, "tags"),
                width="100%",
            ),
            rx.vstack(
                label("Category"),
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label="Category"),
                    rx.select.content(
                        rx.foreach(
                            UploadFormState.category_options,
                            lambda c: rx.select.item(c["title"], value=c["id"]),
                        )
                    ),
                    value=UploadFormState.category,
                    on_change=lambda v: UploadFormState.set_field("category", v),
                ),
                field_error(UploadFormState.errors, "category_id"),
                width="100%",
            ),
            rx.vstack(
                label("Privacy"),
                rx.select.root(
                    rx.select.trigger(aria_label="Privacy", data_testid="field-privacy"),
                    rx.select.content(
                        *(rx.select.item(p, value=p) for p in ("private", "unlisted", "public"))
                    ),
                    value=UploadFormState.privacy,
                    on_change=lambda v: UploadFormState.set_field("privacy", v),
                ),
                field_error(UploadFormState.errors, "privacy"),
                width="100%",
            ),
            rx.vstack(
                label("Playlist (optional)"),
                rx.input(
                    value=UploadFormState.playlist,
                    aria_label="Playlist",
                    width="100%",
                    placeholder="title; created if missing",
                    on_change=lambda v: UploadFormState.set_field("playlist", v),
                    data_testid="field-playlist",
                ),
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", xs="2", md="4"),
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
