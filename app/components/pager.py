"""The search box and the page turner of a paged list (a state mixing in PagedPage):

    search_box(ChannelsState, "Search title or handle", "channels-search")
    pager(ChannelsState, "channels")  # "51-100 of 2,000 channels ... Page 2 of 40"

Test ids: PREFIX-page-text, PREFIX-prev, PREFIX-next, PREFIX-page-number.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def search_box(state: Any, placeholder: str, testid: str) -> rx.Component:
    """Typing narrows the list (sent once the typing pauses)."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=14)),
        value=state.search,
        on_change=state.set_search,
        placeholder=placeholder,
        size="1",
        width=rx.breakpoints(initial="100%", sm="240px"),
        max_length=100,
        data_testid=testid,
    )


def pager(state: Any, prefix: str) -> rx.Component:
    """Where this page is in the list, and the buttons to the pages before and after."""
    return rx.hstack(
        rx.text(
            state.page_text, size="1", color="var(--gray-11)", data_testid=f"{prefix}-page-text"
        ),
        rx.spacer(),
        rx.cond(
            state.page_count > 1,
            rx.hstack(
                rx.button(
                    rx.icon("chevron-left", size=14),
                    "Previous",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    disabled=state.page_number <= 1,
                    on_click=state.turn_page(-1),
                    data_testid=f"{prefix}-prev",
                ),
                rx.text(
                    "Page ",
                    rx.el.span(state.page_number, data_testid=f"{prefix}-page-number"),
                    " of ",
                    state.page_count,
                    size="1",
                    white_space="nowrap",
                ),
                rx.button(
                    "Next",
                    rx.icon("chevron-right", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    disabled=state.page_number >= state.page_count,
                    on_click=state.turn_page(1),
                    data_testid=f"{prefix}-next",
                ),
                align="center",
                spacing="2",
            ),
        ),
        align="center",
        width="100%",
        wrap="wrap",
        spacing="2",
    )
