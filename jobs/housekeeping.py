"""Housekeeping job: the hourly clean-up, run by one process of the fleet per hour."""

from __future__ import annotations

from core import housekeeping, periodic

EVERY = housekeeping.EVERY


def run() -> None:
    periodic.run_once(housekeeping.NAME, every=EVERY, work=housekeeping.run)
