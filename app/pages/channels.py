"""Channels page."""

from __future__ import annotations

import reflex as rx

from app.components.frame import nothing_yet, page
from app.states.session import SessionState, requires
from models import Role


class ChannelsPageState(SessionState):
    @rx.event
    @requires(Role.MARKETER)
    def load(self) -> None:
        return None


def channels_page() -> rx.Component:
    return page("Channels", nothing_yet("channels", "arrive with a later release."))


def add_to(app: rx.App) -> None:
    app.add_page(channels_page, route="/channels", title="Channels · TubeFleet",
                 on_load=ChannelsPageState.load)
