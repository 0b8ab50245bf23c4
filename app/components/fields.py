"""Pieces of the pages' forms: a field's label, a labelled input, and the errors shown
under a field or above a form."""

from __future__ import annotations

from typing import Any

import reflex as rx


def label(text: str) -> rx.Component:
    return rx.text(text, size="2", weight="medium")


def labelled_input(text: str, name: str, kind: str = "text", **props: object) -> rx.Component:
    """A required input under its label, as wide as its column."""
    return rx.vstack(
        label(text),
        rx.input(name=name, type=kind, required=True, width="100%", aria_label=text, **props),
        spacing="1",
        width="100%",
    )


def field_error(errors: rx.Var, field: str) -> rx.Component:
    """The message a state's `errors` ({field: message}) holds for `field`, if any."""
    return rx.cond(
        errors.contains(field),
        rx.text(
            errors[field],
            size="1",
            color="var(--red-11)",
            data_testid=f"error-{field}",
        ),
    )


def form_error(message: rx.Var) -> rx.Component:
    """A form's error (a state's message, "" when none) as a red callout."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", size="1", width="100%"),
    )


def named_select(
    items: list[str], name_for_readers: str, *, testid: str | None = None, **root: Any
) -> rx.Component:
    """A select of plain values whose button says what it chooses to a screen reader
    (Radix's high-level select puts the name on a part that draws nothing)."""
    return rx.select.root(
        rx.select.trigger(aria_label=name_for_readers, data_testid=testid),
        rx.select.content(*(rx.select.item(v, value=v) for v in items)),
        **root,
    )
