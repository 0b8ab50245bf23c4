"""Upload job: claims due upload jobs into this process's bounded worker pool."""

from __future__ import annotations

from core import uploads


def run() -> None:
    uploads.process_runner().tick()


def stop() -> None:
    uploads.process_runner().shutdown(wait=True)
