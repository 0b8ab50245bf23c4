"""Alerts page."""

from __future__ import annotations

import reflex as rx

from app.components.frame import nothing_yet, page
from app.states.session import SessionState, requires
from models import Role


class AlertsPageState(SessionState):
    @rx.event
    @requires(Role.MARKETER)
    def load(self) -> None:
        return None


def alerts_page() -> rx.Component:
    return page("Alerts", nothing_yet("alerts", "arrive with a later release."))


def add_to(app: rx.App) -> None:
    app.add_page(alerts_page, route="/alerts", title="Alerts · TubeFleet",
                 on_load=AlertsPageState.load)
