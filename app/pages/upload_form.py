"""Uploads page, the form: one card of files, details, where and when, and the button
that schedules (the page is app/pages/uploads.py; each part has its module)."""

from __future__ import annotations

import reflex as rx

from app import styles
from app.pages.upload_details import detail_fields
from app.pages.upload_files import file_fields
from app.pages.upload_schedule import target_fields, when_fields
from app.states.upload_form import UploadFormState


def schedule_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Schedule an upload", size="4"),
            file_fields(),
            detail_fields(),
            rx.grid(
                target_fields(),
                when_fields(),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.hstack(
                rx.spacer(),
                rx.button(
                    rx.icon("calendar-plus"),
                    "Schedule upload",
                    size="3",
                    on_click=UploadFormState.submit(UploadFormState.form_version),
                    color_scheme=styles.BRAND,
                    high_contrast=True,
                    data_testid="schedule-submit",
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )
