"""The words people read for our states: one mapping for every page (the database and the
API keep the raw values)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.views import format
from core import clock
from models import ChannelState, PublishMode, UploadJobPublic, UploadState

JOB_STATES = {
    UploadState.QUEUED: "queued",
    UploadState.SCHEDULED: "scheduled",
    UploadState.UPLOADING: "uploading",
    UploadState.PROCESSING: "processing on YouTube",
    UploadState.PUBLISHED: "published",
    UploadState.FAILED: "failed",
    UploadState.CANCELLED: "cancelled",
    UploadState.WAITING_QUOTA: "waiting for quota",
    UploadState.WAITING_CHANNEL: "waiting for a channel",
    UploadState.WAITING_REAUTH: "waiting for re-consent",
}
CHANNEL_STATES = {
    ChannelState.ACTIVE: "active",
    ChannelState.RESERVE: "reserve",
    ChannelState.PAUSED: "paused",
    ChannelState.NEEDS_REAUTH: "needs re-consent",
    ChannelState.DISABLED: "disabled",
}


def job_state(job: UploadJobPublic, zone: ZoneInfo, now: datetime | None = None) -> str:
    """A job's state in words; a video YouTube holds but nobody can see yet is "uploaded",
    not "published"."""
    state = UploadState(job.state)
    if state != UploadState.PUBLISHED:
        return JOB_STATES[state]
    publish_at = job.publish_at if job.publish_mode == PublishMode.PUBLISH_AT else None
    if publish_at is not None and clock.as_utc(publish_at) > (now or clock.now()):
        return f"uploaded, public {format.date_time(publish_at, zone)}"
    if job.privacy != "public" and publish_at is None:
        return f"uploaded ({job.privacy})"
    return "published"


def job_state_word(value: str) -> str:
    """The words for a stored job state (the value itself if it is not one we know)."""
    try:
        return JOB_STATES[UploadState(value)]
    except ValueError:
        return value


def job_state_choices() -> list[tuple[str, str]]:
    """(value, words) for a filter of job states."""
    return [(s.value, words) for s, words in JOB_STATES.items()]


def channel_state_choices(*, editable_only: bool = False) -> list[tuple[str, str]]:
    """(value, words) for a filter or an edit of channel states (a person never sets
    needs_reauth: only a reconnect clears it)."""
    return [
        (s.value, words)
        for s, words in CHANNEL_STATES.items()
        if not (editable_only and s == ChannelState.NEEDS_REAUTH)
    ]
