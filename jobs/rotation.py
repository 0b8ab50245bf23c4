"""Rotation job: rescores every channel and brings reserve channels in when needed."""

from __future__ import annotations

from core import rotation


def run() -> None:
    rotation.refresh_scores()
