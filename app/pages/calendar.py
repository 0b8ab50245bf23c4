"""Calendar: the upload plan by week or month in the viewer's zone; drag a scheduled job to
move it, click a free time to schedule one then."""

from __future__ import annotations

import reflex as rx

from app.components.calendar import plan_calendar
from app.components.frame import frame
from app.components.poller import poller
from app.pages.registry import page
from app.states.calendar import CalendarState


@page("/calendar", "Calendar", on_load=CalendarState.load)
def calendar_page() -> rx.Component:
    return frame(
        "Calendar",
        poller(CalendarState.refresh, 15_000),
        rx.text(
            "Drag a scheduled job to move it; click a free time to schedule an upload then.",
            size="2",
            color="var(--gray-11)",
        ),
        rx.cond(CalendarState.note != "", rx.callout(CalendarState.note, icon="info")),
        rx.card(
            plan_calendar(
                events=CalendarState.events,
                editable=False,  # each movable job says so itself
                on_dates_set=CalendarState.set_range,
                on_event_drop=CalendarState.move,
                on_date_click=CalendarState.start_at,
            ),
            width="100%",
            data_testid="plan-calendar",
        ),
    )
