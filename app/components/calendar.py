"""The plan as a calendar: FullCalendar (@fullcalendar/react, pinned) wrapped for Reflex.

The page gives it events ({"id", "title", "start", "color", "editable"}, ISO times) for
the range it shows; it reports the range it moved to (`on_dates_set`, to load just that),
a job dragged to a new time (`on_event_drop`: job id and the new start, local ISO with
its offset), and a click on an empty slot (`on_date_click`: that time)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex_base.event import EventHandler
from reflex_base.utils.imports import ImportVar

VERSION = "6.1.22"
# The package registry these machines reach stops @fullcalendar/timegrid at 6.1.9; it
# declares @fullcalendar/core ~6.1.9, which 6.1.22 satisfies.
TIMEGRID_VERSION = "6.1.9"
PLUGINS = {
    f"@fullcalendar/daygrid@{VERSION}": "dayGridPlugin",
    f"@fullcalendar/timegrid@{TIMEGRID_VERSION}": "timeGridPlugin",
    f"@fullcalendar/interaction@{VERSION}": "interactionPlugin",
}


def _drop(info: ObjectVar[dict[str, Any]]) -> tuple[Var[str], Var[str]]:
    event = info.event.to(dict)  # type: ignore[attr-defined]
    return (event.id.to(str), event.startStr.to(str))


def _range(info: ObjectVar[dict[str, Any]]) -> tuple[Var[str], Var[str]]:
    return (info.startStr.to(str), info.endStr.to(str))  # type: ignore[attr-defined]


def _date(info: ObjectVar[dict[str, Any]]) -> tuple[Var[str]]:
    return (info.dateStr.to(str),)  # type: ignore[attr-defined]


class FullCalendar(rx.NoSSRComponent):
    library = f"@fullcalendar/react@{VERSION}"
    tag = "FullCalendar"
    is_default = True
    lib_dependencies: list[str] = [f"@fullcalendar/core@{VERSION}", *PLUGINS]

    plugins: Var[Any]
    events: Var[list[dict[str, Any]]]
    initial_view: Var[str]
    header_toolbar: Var[dict[str, str]]
    time_zone: Var[str]
    first_day: Var[int]
    height: Var[str]
    editable: Var[bool]
    event_duration_editable: Var[bool]
    now_indicator: Var[bool]
    day_max_event_rows: Var[int]
    slot_min_time: Var[str]
    slot_label_format: Var[dict[str, Any]]
    event_time_format: Var[dict[str, Any]]

    on_event_drop: EventHandler[_drop]  # type: ignore[type-arg]
    on_dates_set: EventHandler[_range]  # type: ignore[type-arg]
    on_date_click: EventHandler[_date]  # type: ignore[type-arg]

    # FullCalendar's callbacks are plain props (eventDrop, datesSet, dateClick).
    _rename_props = {
        "onEventDrop": "eventDrop",
        "onDatesSet": "datesSet",
        "onDateClick": "dateClick",
    }

    def add_imports(self) -> dict[str, Any]:
        return {lib: ImportVar(tag=name, is_default=True) for lib, name in PLUGINS.items()}


def plan_calendar(**props: Any) -> rx.Component:
    """Week and month views in the browser's zone (the viewer's), Monday first."""
    calendar = FullCalendar.create(
        plugins=Var(f"[{', '.join(PLUGINS.values())}]"),
        # A phone shows a day (seven columns do not fit 390 px); wider screens a week.
        initial_view=Var(
            "(typeof window !== 'undefined' && window.innerWidth < 768"
            " ? 'timeGridDay' : 'timeGridWeek')"
        ),
        header_toolbar={
            "left": "prev,next today",
            "center": "title",
            "right": "dayGridMonth,timeGridWeek,timeGridDay",
        },
        # 24-hour times, as on every other page.
        slot_label_format={"hour": "2-digit", "minute": "2-digit", "hour12": False},
        event_time_format={"hour": "2-digit", "minute": "2-digit", "hour12": False},
        time_zone="local",
        first_day=1,
        height="auto",
        event_duration_editable=False,
        now_indicator=True,
        day_max_event_rows=4,
        slot_min_time="06:00:00",
        **props,
    )
    # FullCalendar's toolbar is sized for desktops: on a phone its title took four lines.
    return rx.box(
        calendar,
        width="100%",
        style={
            "& .fc-header-toolbar": {"flex_wrap": "wrap", "gap": "0.5em"},
            "& .fc-toolbar-title": {"font_size": "clamp(1rem, 3.5vw, 1.5rem)"},
        },
    )
