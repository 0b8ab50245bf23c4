"""After YouTube created the video: set the thumbnail, add it to the playlist, then poll
until YouTube has processed it (published) or refused it (failed)."""

from __future__ import annotations

from datetime import timedelta

from core import alerts, backoff, clock, db, rotation
from core.gateways import channel_gateway
from core.quota import Priority
from core.quota_ledger import QuotaUnavailable
from core.settings import get_settings
from core.uploads.fencing import RECHECK, Run, fail, fenced, move, wait
from models import Severity, UploadJob, UploadState
from youtube import limits, operations
from youtube.errors import Action, GoogleError
from youtube.gateway import Gateway

MAX_POLL_INTERVAL = 60
# YouTube normally processes within minutes; a day means something is wrong.
PROCESSING_DEADLINE = timedelta(hours=24)


def finish(run: Run, job: UploadJob, gateway: Gateway) -> None:
    """Thumbnail and playlist, charged with FINISH priority (they may use the reserve)."""
    assert job.video_id
    warnings = [job.warning] if job.warning else []
    if job.thumbnail_path and not job.thumbnail_done:
        try:
            with open(job.thumbnail_path, "rb") as fh:
                mimetype = limits.image_mimetype(fh.read(16)) or "image/jpeg"
        except OSError:
            mimetype = "image/jpeg"  # the missing file is reported by set_thumbnail
        try:
            operations.set_thumbnail(gateway, job.video_id, job.thumbnail_path, mimetype)
        except GoogleError as error:
            if error.retryable:
                raise
            warnings.append(
                f"thumbnail not set: {error.message}"
                + (
                    " (custom thumbnails need a phone-verified channel)"
                    if error.action == Action.FORBIDDEN
                    else ""
                )
            )
        fenced(run.job_id, run.owner, thumbnail_done=True, warning="; ".join(warnings)[:500])
    if job.playlist_title and not job.playlist_done:
        try:
            playlist = operations.playlist_id(gateway, job.playlist_title)
            operations.add_to_playlist(gateway, playlist, job.video_id)
        except GoogleError as error:
            if error.retryable:
                raise
            warnings.append(f"not added to playlist {job.playlist_title!r}: {error.message}")
        fenced(run.job_id, run.owner, playlist_done=True, warning="; ".join(warnings)[:500])


def poll(run: Run, job: UploadJob) -> None:
    """Ask YouTube whether the video is processed; publish, fail, or look again later."""
    assert job.video_id and job.channel_id
    inserted_at = clock.as_utc(job.session_started_at or job.started_at or job.created_at)
    waited = clock.now() - inserted_at
    try:
        status = operations.video_status(
            channel_gateway(job.channel_id, Priority.FINISH), job.video_id
        )
    except QuotaUnavailable as exc:
        fenced(run.job_id, run.owner, release=True, not_before=exc.resets_at)
        return
    except GoogleError as error:
        if error.action == Action.REAUTH:
            wait(
                run,
                UploadState.PROCESSING,
                clock.now() + RECHECK,
                "the channel needs re-consent before TubeFleet can check the video",
            )
        if not error.retryable and error.action != Action.WAIT_FOR_QUOTA:
            fail(run, job, f"could not check video {job.video_id}: {error}", channel_fault=False)
        fenced(
            run.job_id,
            run.owner,
            release=True,
            not_before=clock.now() + timedelta(seconds=backoff.delay(3) + 10),
        )
        return
    if status is None:
        fail(run, job, f"video {job.video_id} is no longer on YouTube", channel_fault=False)
    assert status is not None
    state = status.get("status", {})
    upload_status = state.get("uploadStatus", "")
    if upload_status == "processed":
        move(
            run,
            UploadState.PUBLISHED,
            f"YouTube processed video {job.video_id} ({state.get('privacyStatus', '')}"
            + (f", publishes at {state['publishAt']}" if state.get("publishAt") else "")
            + ")",
            release=True,
            finished_at=clock.now(),
        )
        with db.session() as s:
            rotation.record_outcome(s, job.channel_id, success=True)
            # Retried and published after all: its failure alerts are over.
            alerts.resolve_for_job(session=s, job_id=run.job_id)
        return
    if upload_status in ("failed", "rejected", "deleted"):
        reason = state.get("failureReason") or state.get("rejectionReason") or upload_status
        fail(
            run,
            job,
            f"YouTube {upload_status} the video ({reason})",
            alert=(
                f"upload.{upload_status}",
                Severity.CRITICAL,
                f"video {job.video_id} {upload_status}",
            ),
        )
    if waited > PROCESSING_DEADLINE:
        fail(
            run,
            job,
            f"YouTube has not finished processing video {job.video_id} after "
            f"{int(waited.total_seconds() // 3600)} hours",
            channel_fault=False,
        )
    interval = min(
        MAX_POLL_INTERVAL, max(get_settings().processing_poll_seconds, waited.total_seconds() / 4)
    )
    fenced(
        run.job_id, run.owner, release=True, not_before=clock.now() + timedelta(seconds=interval)
    )
