"""Token refresh job: refreshes every channel token that expires within the buffer."""

from __future__ import annotations

from core import tokens


def run() -> None:
    tokens.refresh_due()
