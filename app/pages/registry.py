"""The one page decorator: a page module says its route, title and on_load next to the
function that draws it, and `app.pages.register` adds every page so declared.

    @page("/quota", "Quota", on_load=QuotaState.load)
    def quota_page() -> rx.Component:
        return frame("Quota", ...)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

SITE = "TubeFleet"


@dataclass(frozen=True)
class Page:
    route: str
    title: str
    render: Callable[[], rx.Component]
    on_load: Any = None


PAGES: list[Page] = []


def page(
    route: str, title: str, *, on_load: Any = None
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Declare a page: the browser tab reads "<title> · TubeFleet"."""

    def declare(render: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        PAGES.append(Page(route, f"{title} · {SITE}", render, on_load))
        return render

    return declare


def add_all(app: rx.App) -> None:
    for p in PAGES:
        app.add_page(p.render, route=p.route, title=p.title, on_load=p.on_load)
