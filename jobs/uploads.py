"""Upload job: claims due upload jobs into this process's bounded worker pool."""

from __future__ import annotations

from core import upload_runner


def run() -> None:
    upload_runner.runner().tick()


def stop() -> None:
    upload_runner.runner().shutdown(wait=True)
