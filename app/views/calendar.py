"""The calendar's events: one per job, colored by its channel, with a mark for how it went."""

from __future__ import annotations

from typing import Any

from app.views import labels
from core import clock
from models import UploadJobPublic, UploadState

# Radix step-9 colors, one per channel (the same channel keeps its color on every visit).
PALETTE = ("#3e63dd", "#30a46c", "#e5484d", "#f76b15", "#8e4ec6", "#12a594", "#d6409f", "#ffc53d")
MARKS = {
    UploadState.PUBLISHED: "✓ ",
    UploadState.FAILED: "✕ ",
    UploadState.UPLOADING: "↑ ",
    UploadState.PROCESSING: "… ",
}
# Jobs that may still be moved by dragging them (the same as "reschedule" for not-started
# jobs; a failed one is rescheduled from the queue, where Retry sits beside it).
MOVABLE = {UploadState.QUEUED, UploadState.SCHEDULED}


def calendar_event(job: UploadJobPublic, movable: bool) -> dict[str, Any]:
    state = UploadState(job.state)
    channel = job.channel or job.target_channel or job.target_group or "rotation"
    return {
        "id": str(job.id),
        "title": f"{MARKS.get(state, '')}{job.title} · {channel}",
        "start": clock.as_utc(job.scheduled_for).isoformat(),
        "color": PALETTE[(job.channel_id or job.target_channel_id or 0) % len(PALETTE)],
        "editable": movable and (state in MOVABLE or state.waiting),
        # Read by people (hover) and by tests.
        "extendedProps": {"state": labels.job_state_word(state.value)},
    }
