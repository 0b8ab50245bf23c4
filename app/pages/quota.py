"""Quota page."""

from __future__ import annotations

import reflex as rx

from app.components.frame import nothing_yet, page
from app.states.session import SessionState, requires
from models import Role


class QuotaPageState(SessionState):
    @rx.event
    @requires(Role.MARKETER)
    def load(self) -> None:
        return None


def quota_page() -> rx.Component:
    return page("Quota", nothing_yet("quota", "arrive with a later release."))


def add_to(app: rx.App) -> None:
    app.add_page(quota_page, route="/quota", title="Quota · TubeFleet",
                 on_load=QuotaPageState.load)
