"""Rotation job: rescores every channel and brings reserve channels in when needed, once
per interval across every process."""

from __future__ import annotations

from datetime import timedelta

from core import periodic, rotation
from core.settings import get_settings


def run() -> None:
    every = timedelta(minutes=get_settings().rotation_tick_minutes)
    periodic.run_once("rotation", every=every, work=rotation.refresh_scores)
