"""The Overview page's rows: scheduler processes, channels that need re-consent, next uploads."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.views import format
from core.heartbeat import HeartbeatView
from models import UploadJobPublic


def worker_row(b: HeartbeatView) -> dict[str, str]:
    return {
        "id": b.worker_id,
        "kind": b.kind,
        "age": format.ago(b.age_seconds),
        "status": "alive" if b.alive else "stopped",
        "ticks": str(b.ticks),
    }


def next_upload_row(job: UploadJobPublic, zone: ZoneInfo) -> dict[str, str]:
    """Where a job goes: the channel picked (or asked for), else its group, else auto."""
    return {
        "id": str(job.id),
        "title": job.title,
        "where": (
            job.channel
            or job.target_channel
            or (f"group {job.target_group}" if job.target_group else "auto")
        ),
        "when": format.date_time(job.not_before, zone),
    }


def reauth_row(channel: dict[str, object]) -> dict[str, str]:
    return {
        "id": str(channel["id"]),
        "title": str(channel["title"]),
        "error": str(channel["error"]),
    }
