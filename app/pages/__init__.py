"""One module per page, each declared with `app.pages.registry.page`; `register` adds them."""

from __future__ import annotations

import reflex as rx


def register(app: rx.App) -> None:
    from app.pages import alerts, channels, login, overview, quota, settings, uploads  # noqa: F401
    from app.pages.registry import add_all

    add_all(app)
