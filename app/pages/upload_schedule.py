"""Uploads form, where and when: the channel, group or fan-out the video goes to, and the
time it is uploaded or published (the form is app/pages/upload_form.py)."""

from __future__ import annotations

import reflex as rx

from app.components.fields import field_error, label
from app.states.upload_form import UploadFormState


def choice(value: str, text: str) -> rx.Component:
    """A radio item and its words as one label: clicking the words picks it too."""
    return rx.text(
        rx.flex(rx.radio_group.item(value=value), text, gap="2", align="center"),
        as_="label",
        size="2",
    )


def target_fields() -> rx.Component:
    return rx.vstack(
        label("Where"),
        rx.radio_group.root(
            rx.flex(
                choice("auto", "Auto: the healthiest channel"),
                choice("channel", "One channel"),
                choice("group", "Best channel of a group"),
                choice("fanout", "Every channel of a group"),
                style={"gap": "0.4em 1.25em"},
                wrap="wrap",
            ),
            value=UploadFormState.target,
            on_change=lambda v: UploadFormState.set_field("target", v),
        ),
        rx.cond(
            UploadFormState.target == "channel",
            rx.select.root(
                rx.select.trigger(
                    placeholder="choose a channel",
                    aria_label="Channel",
                    data_testid="field-channel",
                ),
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
                rx.select.trigger(placeholder="choose a group", aria_label="Group"),
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
        field_error(UploadFormState.errors, "target"),
        spacing="2",
        width="100%",
    )


def when_fields() -> rx.Component:
    return rx.vstack(
        label("When"),
        rx.hstack(
            rx.input(
                value=UploadFormState.when_text,
                aria_label="When",
                on_change=UploadFormState.set_when,
                placeholder="now · tomorrow 9am · next friday 6pm · in 2 hours · "
                "2026-12-01 14:30 Europe/Berlin",
                width="100%",
                max_width="420px",
                data_testid="field-when",
            ),
            rx.radio_group.root(
                rx.flex(
                    choice("upload_at", "Upload then"),
                    choice("publish_at", "Upload now as private; YouTube publishes then"),
                    style={"gap": "0.4em 1.25em"},
                    wrap="wrap",
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
        field_error(UploadFormState.errors, "when"),
        spacing="2",
        width="100%",
    )
