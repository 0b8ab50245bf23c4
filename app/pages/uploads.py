"""Uploads page."""

from __future__ import annotations

import reflex as rx

from app.components.frame import nothing_yet, page
from app.states.session import SessionState, requires
from models import Role


class UploadsPageState(SessionState):
    @rx.event
    @requires(Role.MARKETER)
    def load(self) -> None:
        return None


def uploads_page() -> rx.Component:
    return page("Uploads", nothing_yet("uploads", "arrive with a later release."))


def add_to(app: rx.App) -> None:
    app.add_page(uploads_page, route="/uploads", title="Uploads · TubeFleet",
                 on_load=UploadsPageState.load)
