"""Housekeeping job: the hourly clean-up, run by one process of the fleet per hour."""

from __future__ import annotations

from datetime import timedelta

from core import housekeeping, periodic

EVERY = timedelta(hours=1)


def run() -> None:
    periodic.run_once("housekeeping", every=EVERY, work=housekeeping.run)
