"""Test-wide set-up: tests never read a developer's .env or data folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before anything imports core.settings.
_ROOT_TMP = Path(tempfile.mkdtemp(prefix="tubefleet-tests-"))
os.environ["TUBEFLEET_ENV_FILE"] = ""
os.environ["TUBEFLEET_DATA_DIR"] = str(_ROOT_TMP / "data")
os.environ.pop("TUBEFLEET_DATABASE_URL", None)
os.environ.pop("TUBEFLEET_SECRET_KEY", None)
os.environ.setdefault("TUBEFLEET_LOG_LEVEL", "WARNING")
