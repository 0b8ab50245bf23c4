"""The one filter dropdown every list page uses: an "all" choice, fixed choices, and
choices from a state var, with an optional label before it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx


def filter_select(
    value: rx.Var,
    on_change: Callable[[Any], Any],
    *,
    label: str = "",
    all_text: str | None = "all",
    fixed: Sequence[tuple[str, str]] = (),
    options: rx.Var | None = None,
    values: rx.Var | Sequence[str] | None = None,
    testid: str | None = None,
) -> rx.Component:
    """value: the filter's var; on_change: gets the chosen value.

    all_text: the text of the "all" choice (None: no such choice); fixed: (value, text)
    pairs; options: a var of {"id", "name"} dicts; values: plain strings (value = text).
    """
    items: list[rx.Component] = []
    if all_text is not None:
        items.append(rx.select.item(all_text, value="all"))
    items += [rx.select.item(text, value=v) for v, text in fixed]
    if options is not None:
        items.append(rx.foreach(options, lambda o: rx.select.item(o["name"], value=o["id"])))
    if values is not None:
        items.append(rx.foreach(values, lambda v: rx.select.item(v, value=v)))
    select = rx.select.root(
        rx.select.trigger(
            aria_label=f"Filter: {label or all_text or 'choose'}", data_testid=testid
        ),
        rx.select.content(*items),
        value=value,
        size="1",
        on_change=on_change,
    )
    if not label:
        return select
    return rx.hstack(
        rx.text(label, size="2", color="var(--gray-11)"), select, align="center", spacing="2"
    )
