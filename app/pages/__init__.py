"""One module per page, each declared with `app.pages.registry.page`; `register` adds them."""

from __future__ import annotations

import reflex as rx


def register(app: rx.App) -> None:
    from app.pages import (  # noqa: F401
        alerts,
        calendar,
        channels,
        login,
        overview,
        quota,
        settings,
        uploads,
    )
    from app.pages.registry import add_all

    add_all(app)
