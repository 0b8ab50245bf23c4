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
# What a new publish time must leave beyond that margin: the job has to be claimed and
# started before the runner checks the margin again.
PLAN_SLACK = timedelta(minutes=1)


def first_state(starts: datetime, now: datetime) -> UploadState:
    """SCHEDULED for a job that starts later, QUEUED for one due now."""
    return UploadState.SCHEDULED if starts > now + DUE_SLACK else UploadState.QUEUED


def publish_time_problem(mode: PublishMode, at: When, now: datetime | None = None) -> str:
    """What is wrong with `at` as the time a job of `mode` is published ("" when nothing):
    YouTube publishes at a future time, so "now" cannot be one, nor a time so close that
    the runner would refuse it when the upload starts (`publish_time_passed`)."""
    if mode != PublishMode.PUBLISH_AT:
        return ""
    if at.is_now:
        return "choose a future time for YouTube to publish at"
    ahead = PUBLISH_AT_MARGIN + PLAN_SLACK
    if clock.as_utc(at.at_utc) < clock.as_utc(now or clock.now()) + ahead:
        minutes = int(ahead.total_seconds() // 60)
        return (
            f"choose a publish time at least {minutes} minutes from now: "
            "YouTube needs the video uploaded before it can publish it"
        )
    return ""


def publish_time_passed(publish_at: datetime, now: datetime) -> bool:
    """Whether YouTube can no longer publish at `publish_at`: it is past, or too close to be
    met once the video is uploaded."""
    return clock.as_utc(publish_at) < now + PUBLISH_AT_MARGIN
