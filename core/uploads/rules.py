"""The time rules every way in shares: when a job counts as due now, and which publish
time YouTube can still meet."""

from __future__ import annotations

from datetime import datetime, timedelta

from core import clock
from core.when import When
from models import PublishMode, UploadState

# A job due within this much of now is queued at once rather than scheduled.
DUE_SLACK = timedelta(seconds=5)
# A publishAt this close is refused by YouTube by the time the upload ends.
PUBLISH_AT_MARGIN = timedelta(minutes=2)


def first_state(starts: datetime, now: datetime) -> UploadState:
    """SCHEDULED for a job that starts later, QUEUED for one due now."""
    return UploadState.SCHEDULED if starts > now + DUE_SLACK else UploadState.QUEUED


def publish_time_problem(mode: PublishMode, at: When) -> str:
    """What is wrong with `at` as the time a job of `mode` is published ("" when nothing):
    YouTube publishes at a future time, so "now" cannot be one."""
    if mode == PublishMode.PUBLISH_AT and at.is_now:
        return "choose a future time for YouTube to publish at"
    return ""


def publish_time_passed(publish_at: datetime, now: datetime) -> bool:
    """Whether YouTube can no longer publish at `publish_at`: it is past, or too close to be
    met once the video is uploaded."""
    return clock.as_utc(publish_at) < now + PUBLISH_AT_MARGIN
