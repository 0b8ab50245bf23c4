"""Sandbox mode: decide the mode, start the local emulator beside the app."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from core.settings import get_settings


def resolve_mode() -> str:
    """sandbox unless a Google OAuth client is configured."""
    settings = get_settings()
    if settings.mode != "auto":
        return settings.mode
    return "google" if settings.google_client_id else "sandbox"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def start_sandbox(data_dir: Path) -> subprocess.Popen[bytes]:
    """Start the emulator on the configured port, keeping its state under data/sandbox."""
    settings = get_settings()
    health = f"{settings.sandbox_url}/_sandbox/health"
    cmd = [sys.executable, "-m", "sandbox", "--host", "127.0.0.1",
           "--port", str(settings.sandbox_port), "--data", str(data_dir / "sandbox"),
           "--public-url", settings.sandbox_url]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the sandbox exited with status {proc.returncode}; "
                               f"is port {settings.sandbox_port} in use?")
        if _answers(health):
            print(f"sandbox (YouTube + Google OAuth emulator) at {settings.sandbox_url}",
                  flush=True)
            return proc
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the sandbox did not start within 30 s")
