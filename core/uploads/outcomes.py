"""What YouTube's answer to an upload does to the job: each error becomes a wait, a move
to another channel or a failure; a created video is recorded whoever holds the job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from core import alerts, clock, db, rotation
from core.uploads.fencing import RECHECK, Run, fail, move, read_job, wait
from core.uploads.lifecycle import record_event
from models import Channel, Project, Severity, TargetKind, UploadJob, UploadState
from youtube.errors import Action, GoogleError

# YouTube does not say when its per-channel upload limit lifts; a day is what it takes.
UPLOAD_LIMIT_REST_HOURS = 24
LOCAL_FILE = "localFileMissing", "localFileError"


def handle_upload_error(run: Run, channel: Channel, project: Project, error: GoogleError) -> None:
    """Quota, channel limits, dead tokens and bad input, each as the issue prescribes.

    Returns only when the job was put back in the queue to go to another channel."""
    job = read_job(run.job_id)
    # A started session belongs to its channel: only a job without one can move.
    reroutable = job.target_kind != TargetKind.CHANNEL and not job.session_uri_enc
    clear: dict[str, Any] = {"channel_id": None, "project_id": None}
    if error.reason in LOCAL_FILE:
        fail(run, job, f"{error.message}; upload the video again", channel_fault=False)
    if error.action == Action.WAIT_FOR_QUOTA:
        run.refused_projects.add(project.id or 0)
        resets = clock.next_pacific_midnight(clock.now())
        who = "our count of" if error.reason == "quotaReserved" else "Google says"
        if reroutable:
            move(
                run,
                UploadState.QUEUED,
                f"{project.name}: {who} its upload quota is used "
                "up; looking for a channel in another project",
                not_before=clock.now(),
                **clear,
            )
            return
        wait(
            run,
            UploadState.WAITING_QUOTA,
            resets,
            f"{project.name}: {who} its upload quota is used up; waiting for the reset at "
            f"{resets.isoformat(timespec='minutes')}",
        )
    if error.action == Action.REST_CHANNEL:
        run.refused_channels.add(channel.id or 0)
        ours = error.reason == "dailyCapReached"
        if not ours:
            with db.session() as s:
                rotation.rest_channel(
                    s,
                    channel.id or 0,
                    hours=UPLOAD_LIMIT_REST_HOURS,
                    reason="YouTube's daily upload limit (uploadLimitExceeded)",
                )
        why = "reached its daily upload cap" if ours else "hit YouTube's daily upload limit"
        if reroutable:
            move(
                run,
                UploadState.QUEUED,
                f"{channel.title} {why}; moving to another channel",
                not_before=clock.now(),
                **clear,
            )
            return
        until = (
            clock.next_pacific_midnight(clock.now())
            if ours
            else clock.now() + timedelta(hours=UPLOAD_LIMIT_REST_HOURS)
        )
        wait(
            run,
            UploadState.WAITING_CHANNEL,
            until,
            f"{channel.title} {why}; waiting until {until.isoformat(timespec='minutes')}",
        )
    if error.action == Action.REAUTH:
        if reroutable:
            run.refused_channels.add(channel.id or 0)
            move(
                run,
                UploadState.QUEUED,
                f"{channel.title} needs re-consent; moving to another channel",
                not_before=clock.now(),
                **clear,
            )
            return
        wait(
            run,
            UploadState.WAITING_REAUTH,
            clock.now() + RECHECK,
            f"{channel.title} needs re-consent: reconnect it on the Channels page"
            + ("; the upload resumes where it stopped" if job.session_uri_enc else ""),
        )
    if error.action == Action.FIX_INPUT:
        fail(run, job, f"YouTube refused the video's details: {error}", channel_fault=False)
    fail(run, job, f"YouTube refused the upload: {error}")


def record_video(run: Run, video: dict[str, Any], warning: str) -> bool:
    """Store the id of a video YouTube created, whoever holds the job now (it must never be
    lost, or a retry would upload it again). False when the job was cancelled meanwhile."""
    job = read_job(run.job_id)
    with db.session() as s:
        s.execute(
            update(UploadJob)
            .where(col(UploadJob.id) == run.job_id, col(UploadJob.video_id).is_(None))
            .values(
                video_id=video["id"],
                session_uri_enc=None,
                bytes_confirmed=job.file_size,
                eta_seconds=0,
                warning=warning[:500],
                updated_at=clock.now(),
            )
            .execution_options(synchronize_session=False)
        )
        record_event(
            s,
            run.job_id,
            UploadState(job.state).value,
            UploadState(job.state).value,
            f"inserted as video {video['id']}",
        )
        if job.state == UploadState.CANCELLED:
            alerts.raise_alert(
                session=s,
                kind="upload.cancelled_too_late",
                severity=Severity.WARNING,
                subject=f"cancelled job {job.id} reached YouTube as {video['id']}",
                message=(
                    f"The job was cancelled while its last bytes were on the way; "
                    f"YouTube created video {video['id']} on the channel. Delete it "
                    "there if it is not wanted."
                ),
                project_id=job.project_id,
                channel_id=job.channel_id,
            )
            return False
    return True


def check_privacy(job: UploadJob, project: Project, video: dict[str, Any]) -> str:
    """A warning (and an alert) when YouTube stored the video with another privacy than
    asked: the project's uploads are locked to private until Google audits it."""
    stored = video.get("status", {}).get("privacyStatus", job.privacy)
    if stored == job.privacy:
        return ""
    warning = (
        f"YouTube stored the video as {stored}, not {job.privacy}: the project "
        f"{project.name} has not passed Google's API audit"
    )
    with db.session() as s:
        alerts.raise_alert(
            session=s,
            kind="project.unverified",
            severity=Severity.WARNING,
            subject=f"{project.name}: uploads are locked to private",
            message=warning + ". Apply for the audit in Google Cloud Console.",
            project_id=project.id,
        )
    return warning
