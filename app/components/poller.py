"""A page-bound refresh: calls a handler every interval while the page is mounted."""

from __future__ import annotations

import reflex as rx

DEFAULT_MS = 5000


def poller(handler: rx.event.EventHandler, interval_ms: int = DEFAULT_MS) -> rx.Component:
    """Stops by itself when the person leaves the page (the component unmounts)."""
    return rx.moment(interval=interval_ms, on_change=handler, display="none")
