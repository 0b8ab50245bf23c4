"""Sending a video's bytes: one resumable session per video, its URI and the confirmed
offset stored as it goes, transient errors retried with backoff a few times in the run,
and the channel's daily upload slot taken only when a new session starts."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from core import backoff, clock, vault
from core.gateways import channel_gateway
from core.quota import Priority
from core.settings import get_settings
from core.uploads import slots
from core.uploads.fencing import Run, Stop, fail, fenced, move, record_progress
from models import Channel, UploadJob, UploadState
from youtube.errors import Action, GoogleError
from youtube.upload import ResumableUpload, UploadSpec

log = logging.getLogger("tubefleet.uploads")

# Retries within one run; after these the job goes back to the queue with a longer backoff.
IN_RUN_RETRIES = 4


def metadata(job: UploadJob) -> dict[str, Any]:
    """The video resource videos.insert is sent (snippet and status)."""
    status: dict[str, Any] = {
        "privacyStatus": job.privacy,
        "selfDeclaredMadeForKids": job.made_for_kids,
    }
    if job.publish_at is not None:
        status["publishAt"] = clock.as_utc(job.publish_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "snippet": {
            "title": job.title,
            "description": job.description,
            "tags": list(job.tags or []),
            "categoryId": job.category_id,
        },
        "status": status,
    }


def upload(run: Run, job: UploadJob, channel: Channel) -> dict[str, Any]:
    """Send the video (continuing a stored session) and return the video YouTube created.

    Raises GoogleError for what retrying here cannot fix (outcomes decides what it means),
    QuotaUnavailable when our quota count says no, Stop when the job is retried later,
    lost or given up."""
    settings = get_settings()
    started = clock.monotonic()
    first_confirmed = job.bytes_confirmed
    sent_before = job.bytes_sent

    def on_session(uri: str) -> None:
        if not fenced(
            run.job_id,
            run.owner,
            session_uri_enc=vault.encrypt(uri),
            session_started_at=clock.now(),
        ):
            raise Stop("lease lost while starting the session")

    def on_chunk(confirmed: int, sent: int) -> bool:
        # Runs before every chunk: the offset is committed before more bytes go out, so a
        # crash never loses a confirmed range nor claims an unconfirmed one. One short
        # UPDATE, which also renews the lease; it fails once the job was cancelled (state)
        # or taken over (lease). False: stop sending.
        elapsed = max(clock.monotonic() - started, 1e-6)
        speed = max(confirmed - first_confirmed, 0) / elapsed
        eta = int((job.file_size - confirmed) / speed) if speed > 0 else None
        stored = record_progress(
            run, confirmed=confirmed, sent=sent_before + sent, speed=speed, eta=eta
        )
        return stored and not run.stopping.is_set()

    spec = UploadSpec(
        path=job.file_path,
        size=job.file_size,
        mimetype=job.content_type,
        metadata=metadata(job),
        chunk_size=settings.upload_chunk_bytes,
    )
    resumable = ResumableUpload(
        spec, session_uri=vault.decrypt_optional(job.session_uri_enc), on_session=on_session
    )
    resumable.confirmed = job.bytes_confirmed
    gateway = channel_gateway(channel.id or 0, Priority.UPLOAD)
    attempts = job.attempts
    slot = False
    try:
        for in_run in range(IN_RUN_RETRIES + 1):
            if resumable.session_uri is None and not slot:
                # A new session is an upload: it counts against the channel's daily cap.
                slot = slots.take_upload_slot(channel.id or 0)
                if not slot:
                    raise GoogleError(
                        Action.REST_CHANNEL,
                        "dailyCapReached",
                        f"{channel.title} reached its daily upload cap",
                    )
            try:
                return gateway.upload(resumable, on_chunk)
            except GoogleError as error:
                if error.reason == "leaseLost":
                    raise Stop("cancelled or taken over during the upload") from None
                if error.action == Action.NOT_FOUND:  # the session expired: start anew
                    resumable.session_uri = None
                    resumable.confirmed = 0
                    fenced(run.job_id, run.owner, session_uri_enc=None, bytes_confirmed=0)
                elif error.action != Action.RETRY:
                    raise
                attempts += 1
                fenced(run.job_id, run.owner, attempts=attempts, last_error=str(error)[:1000])
                if attempts >= settings.upload_max_attempts:
                    fail(run, job, f"gave up after {attempts} attempts; last error: {error}")
                if in_run == IN_RUN_RETRIES:
                    until = clock.now() + timedelta(seconds=backoff.delay(attempts) + 5)
                    move(
                        run,
                        UploadState.QUEUED,
                        f"will retry after: {error}",
                        release=True,
                        not_before=until,
                    )
                    raise Stop("retry later") from None
                delay = backoff.delay(in_run)
                log.info("job %s: %s; retrying in %.1f s", run.job_id, error, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")
    finally:
        if slot and resumable.session_uri is None:
            slots.give_back_upload_slot(channel.id or 0)  # no session: no upload happened
