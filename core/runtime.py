"""Per-process start-up shared by the web backend, the worker and the CLI."""

from __future__ import annotations

from core import clock
from core.logging import configure_logging
from core.settings import get_settings

CLOCK_OFFSET_FILE = "clock-offset"


def mode() -> str:
    """"sandbox" unless a Google OAuth client is configured (or the mode is forced)."""
    settings = get_settings()
    if settings.mode != "auto":
        return settings.mode
    return "google" if settings.google_client_id else "sandbox"


def init_process() -> None:
    """Logging; plain-http OAuth in sandbox mode; a shared movable clock for tests only."""
    configure_logging()
    settings = get_settings()
    if mode() == "sandbox":
        from youtube.oauth import allow_plain_http

        allow_plain_http()
    if settings.allow_clock_shift:
        clock.use_offset_file(settings.data_dir / CLOCK_OFFSET_FILE)
