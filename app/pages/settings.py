"""Settings page."""

from __future__ import annotations

import reflex as rx

from app.components.frame import nothing_yet, page
from app.states.session import SessionState, requires
from models import Role


class SettingsPageState(SessionState):
    @rx.event
    @requires(Role.MARKETER)
    def load(self) -> None:
        return None


def settings_page() -> rx.Component:
    return page("Settings", nothing_yet("settings", "arrive with a later release."))


def add_to(app: rx.App) -> None:
    app.add_page(settings_page, route="/settings", title="Settings · TubeFleet", on_load=SettingsPageState.load)
