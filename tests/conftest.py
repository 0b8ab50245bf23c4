"""Test-wide set-up: tests never read a developer's .env or data folder; markers."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports core.settings.
_ROOT_TMP = Path(tempfile.mkdtemp(prefix="tubefleet-tests-"))
os.environ["TUBEFLEET_ENV_FILE"] = ""
os.environ["TUBEFLEET_DATA_DIR"] = str(_ROOT_TMP / "data")
os.environ.pop("TUBEFLEET_DATABASE_URL", None)
os.environ.pop("TUBEFLEET_SECRET_KEY", None)
os.environ.setdefault("TUBEFLEET_LOG_LEVEL", "WARNING")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives Chromium (it uses the `browser` fixture, itself or
    through `page`), so `-m "not browser"` runs all the others, on a machine without it."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
