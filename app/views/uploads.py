"""The Uploads page's rows: queue rows with live progress, a job's history, form choices."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.views import format, labels
from models import UploadEventPublic, UploadJobPublic, UploadState

STATE_COLORS = {
    "queued": "gray",
    "scheduled": "blue",
    "uploading": "amber",
    "processing": "violet",
    "published": "green",
    "failed": "red",
    "cancelled": "gray",
    "waiting_quota": "orange",
    "waiting_channel": "orange",
    "waiting_reauth": "red",
}
ACTIONS = ("cancel", "retry", "reschedule", "edit")


def queue_row(job: UploadJobPublic, allowed: set[str], zone: ZoneInfo) -> dict[str, str]:
    """`allowed`: the buttons this viewer gets (core.uploads.allowed_actions; core checks
    again on click). What moves while bytes flow is in progress_row."""
    state = UploadState(job.state).value
    return {
        "id": str(job.id),
        "title": job.title,
        "file": job.file_name,
        "by": job.created_by,
        "channel": job.channel
        or (f"group {job.target_group}" if job.target_group else job.target_kind.value),
        "state": state,
        "state_label": labels.job_state(job, zone),
        "color": STATE_COLORS[state],
        "reason": job.state_reason,
        "when": format.date_time(job.scheduled_for, zone),
        "video": job.video_id or "",
        "warning": job.warning,
        "error": job.last_error if state == "failed" else "",
        **{f"can_{action}": "yes" if action in allowed else "" for action in ACTIONS},
    }


def percent_done(job: UploadJobPublic) -> int:
    """How much of the file YouTube has confirmed, 0 to 100."""
    return min(100, int(100 * job.bytes_confirmed / max(job.file_size, 1)))


def progress_row(job: UploadJobPublic) -> dict[str, str]:
    """A job's live progress: a poll during an upload changes only these few strings."""
    running = UploadState(job.state) == UploadState.UPLOADING and not job.video_id
    return {
        "percent": str(percent_done(job)),
        "bytes": f"{format.mib(job.bytes_confirmed)} of {format.mib(job.file_size)}",
        "speed": format.speed(job.speed_bps) if running else "",
        "eta": format.eta(job.eta_seconds) if running else "",
    }


def history_row(e: UploadEventPublic, zone: ZoneInfo) -> dict[str, str]:
    return {
        "at": format.date_time(e.at, zone, seconds=True),
        "to": labels.job_state_word(e.to_state),
        "message": e.message,
        "actor": e.actor,
    }


def file_info(size: int, kind: str) -> str:
    """'12.5 MiB · MP4' under a chosen video."""
    return f"{format.mib(size)} · {kind.upper()}"


def category_options(found: dict[str, str]) -> list[dict[str, str]]:
    """YouTube's categories (id -> title) by title, for the form's select."""
    return [{"id": k, "title": v} for k, v in sorted(found.items(), key=lambda kv: kv[1])]
