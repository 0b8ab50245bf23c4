"""Per-process start-up shared by the web backend, the worker and the CLI."""

from __future__ import annotations

from core import clock
from core.logging import configure_logging
from core.settings import get_settings

CLOCK_OFFSET_FILE = "clock-offset"


def init_process() -> None:
    """Logging, and (only when explicitly allowed, for tests) a shared movable clock."""
    configure_logging()
    settings = get_settings()
    if settings.allow_clock_shift:
        clock.use_offset_file(settings.data_dir / CLOCK_OFFSET_FILE)
