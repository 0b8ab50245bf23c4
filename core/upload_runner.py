"""The upload runner: claims due jobs with a lease and gets each video onto YouTube once.

Each tick claims as many due jobs as this process has free slots. A job is routed
(a fixed channel, or rotation's pick), uploaded through a resumable session whose
URI and confirmed offset are stored as it goes, then finished (thumbnail, playlist)
and polled until YouTube has processed it. A crash leaves the lease to expire; the
next owner asks the stored session where it stands and continues, or finds the
finished video. Writes are fenced by the lease, so a worker that lost its job
(cancelled, or taken over) cannot overwrite the new owner's progress; the one
exception is the id of a video YouTube created, which is always recorded.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from core import alerts, backoff, channels, clock, db, lease, rotation, vault
from core.google import channel_gateway
from core.quota import Priority, QuotaUnavailable
from core.settings import get_settings
from core.uploads.lifecycle import record_event
from core.uploads.rules import publish_time_passed
from models import (
    Channel,
    ChannelState,
    Project,
    PublishMode,
    Severity,
    TargetKind,
    UploadJob,
    UploadState,
)
from youtube import limits, operations
from youtube.errors import Action, GoogleError
from youtube.gateway import Gateway
from youtube.upload import ResumableUpload, UploadSpec

log = logging.getLogger("tubefleet.uploads")

CLAIMABLE = [UploadState.QUEUED, UploadState.SCHEDULED, UploadState.UPLOADING,
             UploadState.PROCESSING, UploadState.WAITING_QUOTA, UploadState.WAITING_CHANNEL,
             UploadState.WAITING_REAUTH]
IN_RUN_RETRIES = 4
RECHECK = timedelta(minutes=5)
UPLOAD_LIMIT_REST_HOURS = 24
MAX_POLL_INTERVAL = 60
# YouTube normally processes within minutes; a day means something is wrong.
PROCESSING_DEADLINE = timedelta(hours=24)
LOCAL_FILE = "localFileMissing", "localFileError"


class Stop(BaseException):
    """This run ends here; the job was left in a consistent state.

    A BaseException so that it passes through the Google layer's `except Exception`.
    """


# Set when the process shuts down: uploads stop at their next chunk and hand their
# jobs back at once (the stored session lets anyone continue them).
_stopping = threading.Event()


@dataclass
class _Run:
    job_id: int
    owner: str
    # What refused this job during this run, so a reroute does not pick it again.
    refused_projects: set[int] = field(default_factory=set)
    refused_channels: set[int] = field(default_factory=set)


def _ttl() -> timedelta:
    return timedelta(seconds=get_settings().lease_seconds)


def _fenced(job_id: int, owner: str, *, release: bool = False,
            require_state: UploadState | None = None, **values: Any) -> bool:
    """Write to a job only while we hold its lease; optionally end the lease."""
    now = clock.now()
    conditions = [col(UploadJob.id) == job_id, col(UploadJob.lease_owner) == owner,
                  col(UploadJob.lease_expires_at) >= now]
    if require_state is not None:
        conditions.append(col(UploadJob.state) == require_state)
    extra: dict[str, Any] = ({"lease_owner": None, "lease_expires_at": None} if release
                             else {"lease_expires_at": now + _ttl()})
    with db.session() as s:
        done = s.execute(update(UploadJob).where(*conditions)
                         .values(updated_at=now, **values, **extra)
                         .execution_options(synchronize_session=False))
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _job(job_id: int) -> UploadJob:
    with db.read_session() as s:
        job = s.get(UploadJob, job_id)
    if job is None:
        raise Stop(f"job {job_id} is gone")
    return job


def _move(run: _Run, state: UploadState, message: str, *, release: bool = False,
          **values: Any) -> None:
    """Change state (fenced) and record the history line; Stop if the lease is gone."""
    before = UploadState(_job(run.job_id).state)
    if not _fenced(run.job_id, run.owner, release=release, state=state,
                   state_reason=message[:500], **values):
        raise Stop(f"job {run.job_id}: lease lost")
    if before != state or message:
        with db.session() as s:
            record_event(s, run.job_id, before.value, state.value, message)


def _wait(run: _Run, state: UploadState, until: datetime, message: str, **values: Any) -> None:
    _move(run, state, message, release=True, not_before=until, **values)
    raise Stop(message)


def _fail(run: _Run, job: UploadJob, message: str, *, channel_fault: bool = True) -> None:
    _move(run, UploadState.FAILED, message, release=True, finished_at=clock.now(),
          last_error=message[:1000])
    with db.session() as s:
        if channel_fault and job.channel_id:
            rotation.record_outcome(s, job.channel_id, success=False, reason=message)
        alerts.raise_alert(session=s, kind="upload.failed", severity=Severity.WARNING,
                           subject=f"upload job {job.id} failed: {job.title[:80]}",
                           message=message, project_id=job.project_id,
                           channel_id=job.channel_id)
    raise Stop(message)


# --- routing ---------------------------------------------------------------------------------

def _route(run: _Run, job: UploadJob) -> tuple[Channel, Project]:
    """The channel this job uploads to now (fixed, or rotation's healthiest pick).

    A job with a started session or an inserted video belongs to its channel.
    """
    bound = job.target_kind == TargetKind.CHANNEL or job.session_uri_enc or job.video_id
    with db.read_session() as s:
        if bound:
            channel = s.get(Channel, job.channel_id or job.target_channel_id)
            if channel is None:
                _fail(run, job, "the target channel no longer exists", channel_fault=False)
            assert channel is not None
            if not job.session_uri_enc and not job.video_id:
                problem = _unusable(s, channel)
                if problem is not None:
                    _wait(run, *problem)
        else:
            choice = rotation.choose(
                s, group=job.target_group if job.target_kind == TargetKind.GROUP else "",
                exclude_projects=run.refused_projects, exclude_channels=run.refused_channels)
            if choice.channel is None:
                _wait(run, *_waiting(choice.waits_for, choice.until,
                                     f"no channel can take it now ({choice.why})"))
            assert choice.channel is not None
            channel = choice.channel
        project = s.get(Project, channel.project_id)
        assert project is not None
        return channel, project


def _unusable(session: Any, channel: Channel) -> tuple[UploadState, datetime, str] | None:
    """Why a fixed channel cannot take an upload right now, and until when."""
    if channel.state == ChannelState.NEEDS_REAUTH:
        return (UploadState.WAITING_REAUTH, clock.now() + RECHECK,
                f"{channel.title} needs re-consent: reconnect it on the Channels page")
    mine = rotation.assess(session, channel)
    if mine.eligible:
        return None
    return _waiting(mine.waits_for, mine.available_at, f"{channel.title}: {mine.why_not}")


def _waiting(waits_for: rotation.Wait | None, until: datetime | None,
             why: str) -> tuple[UploadState, datetime, str]:
    """The waiting state, its end and its history line for what rotation says blocks a job."""
    if waits_for == rotation.Wait.QUOTA and until is not None:
        return (UploadState.WAITING_QUOTA, until,
                f"{why}; waiting for the quota reset at {until.isoformat(timespec='minutes')}")
    until = until or clock.now() + RECHECK
    return (UploadState.WAITING_CHANNEL, until,
            f"{why}; next try {until.isoformat(timespec='minutes')}")


# --- the upload ------------------------------------------------------------------------------

def _metadata(job: UploadJob) -> dict[str, Any]:
    status: dict[str, Any] = {"privacyStatus": job.privacy,
                              "selfDeclaredMadeForKids": job.made_for_kids}
    if job.publish_at is not None:
        status["publishAt"] = clock.as_utc(job.publish_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"snippet": {"title": job.title, "description": job.description,
                        "tags": list(job.tags or []), "categoryId": job.category_id},
            "status": status}


def _upload(run: _Run, job: UploadJob, channel: Channel, project: Project) -> dict[str, Any]:
    settings = get_settings()
    started = clock.monotonic()
    first_confirmed = job.bytes_confirmed
    sent_before = job.bytes_sent

    def on_session(uri: str) -> None:
        if not _fenced(run.job_id, run.owner, session_uri_enc=vault.encrypt(uri),
                       session_started_at=clock.now()):
            raise Stop("lease lost while starting the session")

    def on_chunk(confirmed: int, sent: int) -> bool:
        if _stopping.is_set():
            return False
        elapsed = max(clock.monotonic() - started, 1e-6)
        speed = max(confirmed - first_confirmed, 0) / elapsed
        eta = int((job.file_size - confirmed) / speed) if speed > 0 else None
        # Fails once the job is cancelled (state) or taken over (lease): stop sending.
        return _fenced(run.job_id, run.owner, require_state=UploadState.UPLOADING,
                       bytes_confirmed=confirmed, bytes_sent=sent_before + sent,
                       speed_bps=speed, eta_seconds=eta, progress_at=clock.now())

    spec = UploadSpec(path=job.file_path, size=job.file_size, mimetype=job.content_type,
                      metadata=_metadata(job), chunk_size=settings.upload_chunk_bytes)
    upload = ResumableUpload(spec, session_uri=vault.decrypt_optional(job.session_uri_enc),
                             on_session=on_session)
    upload.confirmed = job.bytes_confirmed
    gateway = channel_gateway(channel.id or 0, Priority.UPLOAD)
    attempts = job.attempts
    slot = False
    try:
        for in_run in range(IN_RUN_RETRIES + 1):
            if upload.session_uri is None and not slot:
                # A new session is an upload: it counts against the channel's daily cap.
                slot = channels.take_upload_slot(channel.id or 0)
                if not slot:
                    raise GoogleError(Action.REST_CHANNEL, "dailyCapReached",
                                      f"{channel.title} reached its daily upload cap")
            try:
                return gateway.upload(upload, on_chunk)
            except GoogleError as error:
                if error.reason == "leaseLost":
                    raise Stop("cancelled or taken over during the upload") from None
                if error.action == Action.NOT_FOUND:  # the session expired: start anew
                    upload.session_uri = None
                    upload.confirmed = 0
                    _fenced(run.job_id, run.owner, session_uri_enc=None, bytes_confirmed=0)
                elif error.action != Action.RETRY:
                    raise
                attempts += 1
                _fenced(run.job_id, run.owner, attempts=attempts,
                        last_error=str(error)[:1000])
                if attempts >= settings.upload_max_attempts:
                    _fail(run, job, f"gave up after {attempts} attempts; last error: {error}")
                if in_run == IN_RUN_RETRIES:
                    until = clock.now() + timedelta(seconds=backoff.delay(attempts) + 5)
                    _move(run, UploadState.QUEUED, f"will retry after: {error}", release=True,
                          not_before=until)
                    raise Stop("retry later") from None
                delay = backoff.delay(in_run)
                log.info("job %s: %s; retrying in %.1f s", run.job_id, error, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")
    finally:
        if slot and upload.session_uri is None:
            channels.give_back_upload_slot(channel.id or 0)  # no session: no upload happened


def _handle_upload_error(run: _Run, channel: Channel, project: Project,
                         error: GoogleError) -> None:
    """Quota, channel limits, dead tokens and bad input, each as the issue prescribes."""
    job = _job(run.job_id)
    # A started session belongs to its channel: only a job without one can move.
    reroutable = job.target_kind != TargetKind.CHANNEL and not job.session_uri_enc
    clear = {"channel_id": None, "project_id": None}
    if error.reason in LOCAL_FILE:
        _fail(run, job, f"{error.message}; upload the video again", channel_fault=False)
    if error.action == Action.WAIT_FOR_QUOTA:
        run.refused_projects.add(project.id or 0)
        resets = clock.next_pacific_midnight(clock.now())
        who = ("our count of" if error.reason == "quotaReserved" else "Google says")
        if reroutable:
            _move(run, UploadState.QUEUED, f"{project.name}: {who} its upload quota is used "
                                           "up; looking for a channel in another project",
                  not_before=clock.now(), **clear)
            return
        _wait(run, UploadState.WAITING_QUOTA, resets,
              f"{project.name}: {who} its upload quota is used up; waiting for the reset at "
              f"{resets.isoformat(timespec='minutes')}")
    if error.action == Action.REST_CHANNEL:
        run.refused_channels.add(channel.id or 0)
        ours = error.reason == "dailyCapReached"
        if not ours:
            with db.session() as s:
                rotation.rest_channel(s, channel.id or 0, hours=UPLOAD_LIMIT_REST_HOURS,
                                      reason="YouTube's daily upload limit "
                                             "(uploadLimitExceeded)")
        why = ("reached its daily upload cap" if ours
               else "hit YouTube's daily upload limit")
        if reroutable:
            _move(run, UploadState.QUEUED, f"{channel.title} {why}; moving to another channel",
                  not_before=clock.now(), **clear)
            return
        until = (clock.next_pacific_midnight(clock.now()) if ours
                 else clock.now() + timedelta(hours=UPLOAD_LIMIT_REST_HOURS))
        _wait(run, UploadState.WAITING_CHANNEL, until,
              f"{channel.title} {why}; waiting until {until.isoformat(timespec='minutes')}")
    if error.action == Action.REAUTH:
        if reroutable:
            run.refused_channels.add(channel.id or 0)
            _move(run, UploadState.QUEUED, f"{channel.title} needs re-consent; moving to "
                                           "another channel", not_before=clock.now(), **clear)
            return
        _wait(run, UploadState.WAITING_REAUTH, clock.now() + RECHECK,
              f"{channel.title} needs re-consent: reconnect it on the Channels page"
              + ("; the upload resumes where it stopped" if job.session_uri_enc else ""))
    if error.action == Action.FIX_INPUT:
        _fail(run, job, f"YouTube refused the video's details: {error}", channel_fault=False)
    _fail(run, job, f"YouTube refused the upload: {error}")


def _record_video(run: _Run, video: dict[str, Any], warning: str) -> bool:
    """Store the id of a video YouTube created, whoever holds the job now (it must never be
    lost, or a retry would upload it again). False when the job was cancelled meanwhile."""
    job = _job(run.job_id)
    with db.session() as s:
        s.execute(update(UploadJob)
                  .where(col(UploadJob.id) == run.job_id, col(UploadJob.video_id).is_(None))
                  .values(video_id=video["id"], session_uri_enc=None,
                          bytes_confirmed=job.file_size, eta_seconds=0, warning=warning[:500],
                          updated_at=clock.now())
                  .execution_options(synchronize_session=False))
        record_event(s, run.job_id, UploadState(job.state).value, UploadState(job.state).value,
                     f"inserted as video {video['id']}")
        if job.state == UploadState.CANCELLED:
            alerts.raise_alert(
                session=s, kind="upload.cancelled_too_late", severity=Severity.WARNING,
                subject=f"cancelled job {job.id} reached YouTube as {video['id']}",
                message=(f"The job was cancelled while its last bytes were on the way; "
                         f"YouTube created video {video['id']} on the channel. Delete it "
                         "there if it is not wanted."),
                project_id=job.project_id, channel_id=job.channel_id)
            return False
    return True


# --- after the insert ------------------------------------------------------------------------

def _finish(run: _Run, job: UploadJob, gateway: Gateway) -> None:
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
            warnings.append(f"thumbnail not set: {error.message}"
                            + (" (custom thumbnails need a phone-verified channel)"
                               if error.action == Action.FORBIDDEN else ""))
        _fenced(run.job_id, run.owner, thumbnail_done=True, warning="; ".join(warnings)[:500])
    if job.playlist_title and not job.playlist_done:
        try:
            playlist = operations.playlist_id(gateway, job.playlist_title)
            operations.add_to_playlist(gateway, playlist, job.video_id)
        except GoogleError as error:
            if error.retryable:
                raise
            warnings.append(f"not added to playlist {job.playlist_title!r}: {error.message}")
        _fenced(run.job_id, run.owner, playlist_done=True, warning="; ".join(warnings)[:500])


def _poll(run: _Run, job: UploadJob) -> None:
    """Ask YouTube whether the video is processed; publish, fail, or look again later."""
    assert job.video_id and job.channel_id
    inserted_at = clock.as_utc(job.session_started_at or job.started_at or job.created_at)
    waited = clock.now() - inserted_at
    try:
        status = operations.video_status(channel_gateway(job.channel_id, Priority.FINISH),
                                         job.video_id)
    except QuotaUnavailable as exc:
        _fenced(run.job_id, run.owner, release=True, not_before=exc.resets_at)
        return
    except GoogleError as error:
        if error.action == Action.REAUTH:
            _wait(run, UploadState.PROCESSING, clock.now() + RECHECK,
                  "the channel needs re-consent before TubeFleet can check the video")
        if not error.retryable and error.action != Action.WAIT_FOR_QUOTA:
            _fail(run, job, f"could not check video {job.video_id}: {error}",
                  channel_fault=False)
        _fenced(run.job_id, run.owner, release=True,
                not_before=clock.now() + timedelta(seconds=backoff.delay(3) + 10))
        return
    if status is None:
        _fail(run, job, f"video {job.video_id} is no longer on YouTube", channel_fault=False)
    assert status is not None
    state = status.get("status", {})
    upload_status = state.get("uploadStatus", "")
    if upload_status == "processed":
        _move(run, UploadState.PUBLISHED,
              f"YouTube processed video {job.video_id} ({state.get('privacyStatus', '')}"
              + (f", publishes at {state['publishAt']}" if state.get("publishAt") else "")
              + ")", release=True, finished_at=clock.now())
        with db.session() as s:
            rotation.record_outcome(s, job.channel_id, success=True)
        return
    if upload_status in ("failed", "rejected", "deleted"):
        reason = state.get("failureReason") or state.get("rejectionReason") or upload_status
        with db.session() as s:
            alerts.raise_alert(session=s, kind=f"upload.{upload_status}",
                               severity=Severity.CRITICAL,
                               subject=f"video {job.video_id} {upload_status}: {job.title[:80]}",
                               message=f"YouTube {upload_status} the video: {reason}",
                               project_id=job.project_id, channel_id=job.channel_id)
        _fail(run, job, f"YouTube {upload_status} the video ({reason})")
    if waited > PROCESSING_DEADLINE:
        _fail(run, job, f"YouTube has not finished processing video {job.video_id} after "
                        f"{int(waited.total_seconds() // 3600)} hours", channel_fault=False)
    interval = min(MAX_POLL_INTERVAL, max(get_settings().processing_poll_seconds,
                                          waited.total_seconds() / 4))
    _fenced(run.job_id, run.owner, release=True,
            not_before=clock.now() + timedelta(seconds=interval))


def _check_privacy(job: UploadJob, project: Project, video: dict[str, Any]) -> str:
    stored = video.get("status", {}).get("privacyStatus", job.privacy)
    if stored == job.privacy:
        return ""
    warning = (f"YouTube stored the video as {stored}, not {job.privacy}: the project "
               f"{project.name} has not passed Google's API audit")
    with db.session() as s:
        alerts.raise_alert(session=s, kind="project.unverified", severity=Severity.WARNING,
                           subject=f"{project.name}: uploads are locked to private",
                           message=warning + ". Apply for the audit in Google Cloud Console.",
                           project_id=project.id)
    return warning


def _upload_or_reroute(run: _Run) -> None:
    """Route and upload until the video exists (rerouting a few times if allowed)."""
    for _ in range(5):
        job = _job(run.job_id)
        channel, project = _route(run, job)
        if job.channel_id != channel.id or job.state != UploadState.UPLOADING:
            _move(run, UploadState.UPLOADING,
                  f"uploading to {channel.title} ({project.name})" if not job.video_id
                  else "finishing", channel_id=channel.id, project_id=project.id,
                  started_at=job.started_at or clock.now(), not_before=clock.now())
        if job.video_id:
            return
        if job.publish_mode == PublishMode.PUBLISH_AT and job.publish_at is not None and \
                publish_time_passed(job.publish_at, clock.now()):
            _fail(run, job, "the publish time passed while the job waited; reschedule it "
                            "with a new time", channel_fault=False)
        try:
            video = _upload(run, job, channel, project)
        except QuotaUnavailable as exc:
            if job.target_kind == TargetKind.CHANNEL:
                _wait(run, UploadState.WAITING_QUOTA, exc.resets_at,
                      f"{project.name}: our count of its upload quota is used up; waiting "
                      f"for the reset at {exc.resets_at.isoformat(timespec='minutes')}")
            _handle_upload_error(run, channel, project,
                                 GoogleError(Action.WAIT_FOR_QUOTA, "quotaReserved", str(exc)))
        except GoogleError as error:
            _handle_upload_error(run, channel, project, error)
        else:
            if not _record_video(run, video, _check_privacy(job, project, video)):
                raise Stop("cancelled while the last bytes were on the way")
            return
    _wait(run, UploadState.WAITING_CHANNEL, clock.now() + RECHECK,
          "every channel tried refused the upload; trying again in 5 minutes")


def run_job(job_id: int, owner: str) -> None:
    """Do whatever a claimed job needs next; always gives the lease back."""
    run = _Run(job_id, owner)
    try:
        job = _job(job_id)
        if job.state == UploadState.PROCESSING:
            _poll(run, job)
            return
        _upload_or_reroute(run)
        job = _job(job_id)
        assert job.channel_id
        try:
            _finish(run, job, channel_gateway(job.channel_id, Priority.FINISH))
        except (GoogleError, QuotaUnavailable) as exc:
            later = (exc.resets_at if isinstance(exc, QuotaUnavailable)
                     else clock.now() + timedelta(seconds=30))
            _move(run, UploadState.UPLOADING, f"thumbnail/playlist will be retried: {exc}",
                  release=True, not_before=later)
            return
        _move(run, UploadState.PROCESSING, "waiting for YouTube to process the video",
              release=True,
              not_before=clock.now() + timedelta(seconds=get_settings().processing_poll_seconds))
    except Stop as stop:
        log.info("job %s: %s", job_id, stop)
        if _stopping.is_set():
            _fenced(job_id, owner, release=True, not_before=clock.now())
    except Exception as exc:
        log.exception("job %s crashed", job_id)
        _fenced(job_id, owner, release=True, last_error=f"internal error: {exc}"[:1000],
                not_before=clock.now() + timedelta(seconds=60))


# --- the tick --------------------------------------------------------------------------------

class Runner:
    """This process's upload workers: claims due jobs into a bounded thread pool."""

    def __init__(self, concurrency: int | None = None) -> None:
        self.concurrency = concurrency or get_settings().upload_concurrency
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency,
                                        thread_name_prefix="upload")
        self._active: dict[int, str] = {}
        self._lock = threading.Lock()
        self._keeper_stop = threading.Event()
        self._keeper = threading.Thread(target=self._keep_leases, name="upload-leases",
                                        daemon=True)
        self._keeper.start()

    def tick(self) -> list[int]:
        """Claim due jobs for the free slots; returns the claimed ids."""
        with self._lock:
            free = self.concurrency - len(self._active)
            running = list(self._active)
        if free <= 0:
            return []
        # A fresh owner per claim: a job this process still runs (its lease lapsed while
        # renewal failed) is never claimed again by the same name.
        owner = f"{lease.process_owner()}:{uuid.uuid4().hex[:8]}"
        now = clock.now()
        with db.session() as s:
            ids = lease.claim(session=s, model=UploadJob, owner=owner, ttl=_ttl(),
                              where=[col(UploadJob.state).in_(CLAIMABLE),
                                     col(UploadJob.not_before) <= now,
                                     col(UploadJob.id).not_in(running)],
                              order_by=[col(UploadJob.not_before)], limit=free)
        for job_id in ids:
            with self._lock:
                self._active[job_id] = owner
            self._pool.submit(self._run, job_id, owner)
        return ids

    def _run(self, job_id: int, owner: str) -> None:
        try:
            run_job(job_id, owner)
        finally:
            with self._lock:
                if self._active.get(job_id) == owner:
                    del self._active[job_id]

    def _keep_leases(self) -> None:
        """Renew the leases of running jobs, whatever the speed of their chunks."""
        while not self._keeper_stop.wait(max(1.0, get_settings().lease_seconds / 4)):
            with self._lock:
                active = dict(self._active)
            for job_id, owner in active.items():
                try:
                    with db.session() as s:
                        lease.renew(session=s, model=UploadJob, row_id=job_id, owner=owner,
                                    ttl=_ttl())
                except Exception:  # a renewal failing once is not fatal; the next may work
                    log.warning("could not renew the lease of job %s", job_id, exc_info=True)

    def busy(self) -> int:
        with self._lock:
            return len(self._active)

    def shutdown(self, wait: bool = True) -> None:
        """Stop: running uploads end at their next chunk and release their jobs."""
        _stopping.set()
        self._keeper_stop.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)


_runner: Runner | None = None
_runner_lock = threading.Lock()


def runner() -> Runner:
    """The process's runner (created on first use)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = Runner()
        return _runner
