"""One module per page; `register` adds them all to the app."""

from __future__ import annotations

import reflex as rx


def register(app: rx.App) -> None:
    from app.pages import alerts, channels, login, overview, quota, settings, uploads

    for module in (login, overview, channels, uploads, quota, alerts, settings):
        module.add_to(app)
