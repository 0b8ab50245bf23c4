"""A claimed job as its worker sees it: writes fenced by the lease, state moves with their
history line, and `Stop`, which ends a run with the job left consistent.

Every write checks that this worker still holds the job's lease (and renews it), so a
worker that lost its job (cancelled, or taken over after its lease lapsed) cannot
overwrite the new owner's progress.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update

from core import alerts, clock, db, rotation
from core.settings import get_settings
from core.uploads.lifecycle import record_event
from models import Severity, UploadJob, UploadState

# How long a job waits before a blocked channel (re-consent, nothing eligible) is checked again.
RECHECK = timedelta(minutes=5)


class Stop(BaseException):
    """This run ends here; the job was left in a consistent state.

    A BaseException so that it passes through the Google layer's `except Exception`.
    """


@dataclass
class Run:
    """One worker's turn with one job, under `owner`'s lease."""

    job_id: int
    owner: str
    # What refused this job during this run, so a reroute does not pick it again.
    refused_projects: set[int] = field(default_factory=set)
    refused_channels: set[int] = field(default_factory=set)
    # Set when this run's runner shuts down: the upload stops at its next chunk and hands
    # the job back at once (the stored session lets anyone continue it). One per runner,
    # never process-wide: a runner started after another shut down must still run.
    stopping: threading.Event = field(default_factory=threading.Event)


def lease_ttl() -> timedelta:
    return timedelta(seconds=get_settings().lease_seconds)


def fenced(
    job_id: int,
    owner: str,
    *,
    release: bool = False,
    require_state: UploadState | None = None,
    **values: Any,
) -> bool:
    """Write to a job only while we hold its lease; optionally end the lease."""
    now = clock.now()
    table = UploadJob.__table__  # type: ignore[attr-defined]
    job = table.c
    conditions = [job.id == job_id, job.lease_owner == owner, job.lease_expires_at >= now]
    if require_state is not None:
        conditions.append(job.state == require_state)
    extra: dict[str, Any] = (
        {"lease_owner": None, "lease_expires_at": None}
        if release
        else {"lease_expires_at": now + lease_ttl()}
    )
    # A Core UPDATE on a bare connection: an ORM session costs more than the statement.
    with db.write_connection() as connection:
        done = connection.execute(
            update(table).where(*conditions).values(updated_at=now, **values, **extra)
        )
        return done.rowcount == 1


# The per-chunk write of an upload, built once: the confirmed offset and the progress the
# Uploads page shows, fenced like `fenced(require_state=UPLOADING)`, renewing the lease.
_job = UploadJob.__table__.c  # type: ignore[attr-defined]
_PROGRESS = (
    update(UploadJob.__table__)  # type: ignore[attr-defined]
    .where(
        _job.id == bindparam("job_id"),
        _job.lease_owner == bindparam("owner"),
        _job.lease_expires_at >= bindparam("now"),
        _job.state == bindparam("uploading"),
    )
    .values(
        bytes_confirmed=bindparam("confirmed"),
        bytes_sent=bindparam("sent"),
        speed_bps=bindparam("speed"),
        eta_seconds=bindparam("eta"),
        progress_at=bindparam("now"),
        updated_at=bindparam("now"),
        lease_expires_at=bindparam("until"),
    )
)


def record_progress(run: Run, *, confirmed: int, sent: int, speed: float, eta: int | None) -> bool:
    """Store an upload's confirmed offset (committed before the caller sends on) and its
    progress, while we hold the lease and the job is still uploading; False means stop:
    the job was cancelled or taken over."""
    now = clock.now()
    with db.write_connection() as connection:
        done = connection.execute(
            _PROGRESS,
            {
                "job_id": run.job_id,
                "owner": run.owner,
                "now": now,
                "uploading": UploadState.UPLOADING,
                "confirmed": confirmed,
                "sent": sent,
                "speed": speed,
                "eta": eta,
                "until": now + lease_ttl(),
            },
        )
        return done.rowcount == 1


def read_job(job_id: int) -> UploadJob:
    """The job as it is now; Stop if it was deleted."""
    with db.read_session() as s:
        job = s.get(UploadJob, job_id)
    if job is None:
        raise Stop(f"job {job_id} is gone")
    return job


def move(
    run: Run, state: UploadState, message: str, *, release: bool = False, **values: Any
) -> None:
    """Change state (fenced) and record the history line; Stop if the lease is gone."""
    before = UploadState(read_job(run.job_id).state)
    if not fenced(
        run.job_id, run.owner, release=release, state=state, state_reason=message[:500], **values
    ):
        raise Stop(f"job {run.job_id}: lease lost")
    if before != state or message:
        with db.session() as s:
            record_event(s, run.job_id, before.value, state.value, message)


def wait(run: Run, state: UploadState, until: datetime, message: str, **values: Any) -> None:
    """Hand the job back in a waiting `state` until `until`, and end the run."""
    move(run, state, message, release=True, not_before=until, **values)
    raise Stop(message)


def fail(
    run: Run,
    job: UploadJob,
    message: str,
    *,
    channel_fault: bool = True,
    alert: tuple[str, Severity, str] | None = None,
) -> None:
    """Fail the job for good (with one alert), and end the run. `channel_fault` counts it
    against the channel's health; `alert` (kind, severity, what happened) replaces the
    plain upload.failed one when the failure has a kind of its own (YouTube rejected it)."""
    kind, severity, what = alert or ("upload.failed", Severity.WARNING, "failed")
    move(
        run,
        UploadState.FAILED,
        message,
        release=True,
        finished_at=clock.now(),
        last_error=message[:1000],
    )
    with db.session() as s:
        if channel_fault and job.channel_id:
            rotation.record_outcome(s, job.channel_id, success=False, reason=message)
        alerts.raise_alert(
            session=s,
            kind=kind,
            severity=severity,
            subject=alerts.job_subject(job.id, f"{what}: {job.title[:80]}"),
            message=message,
            project_id=job.project_id,
            channel_id=job.channel_id,
        )
    raise Stop(message)
