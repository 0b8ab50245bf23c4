"""The upload runner: claims due jobs with a lease and gets each video onto YouTube once.

Each tick claims as many due jobs as this process has free slots. A job is routed
(a fixed channel, or rotation's pick), uploaded through a resumable session whose
URI and confirmed offset are stored as it goes, then finished (thumbnail, playlist)
and polled until YouTube has processed it. A crash leaves the lease to expire; the
next owner asks the stored session where it stands and continues, or finds the
finished video. Every write is fenced by the lease, so a worker that lost its job
(cancelled, or taken over) cannot overwrite the new owner's progress.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from googleapiclient.http import MediaFileUpload
from sqlalchemy import update
from sqlmodel import col

from core import alerts, clock, db, lease, rotation, vault
from core.google import channel_gateway
from core.quota import Priority, QuotaUnavailable
from core.settings import get_settings
from core.uploads import _event
from models import (
    Channel,
    ChannelState,
    Project,
    Severity,
    TargetKind,
    UploadJob,
    UploadState,
)
from youtube.errors import Action, GoogleError
from youtube.gateway import Gateway
from youtube.upload import ResumableUpload, UploadSpec

log = logging.getLogger("tubefleet.uploads")

CLAIMABLE = [UploadState.QUEUED, UploadState.SCHEDULED, UploadState.UPLOADING,
             UploadState.PROCESSING, UploadState.WAITING_QUOTA, UploadState.WAITING_CHANNEL,
             UploadState.WAITING_REAUTH]
IN_RUN_RETRIES = 4
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
REAUTH_RECHECK = timedelta(minutes=5)
UPLOAD_LIMIT_REST_HOURS = 24
MAX_POLL_INTERVAL = 60


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))


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


def _move(run: _Run, state: UploadState, message: str, *, release: bool = False,
          **values: Any) -> None:
    """Change state (fenced) and record the history line; Stop if the lease is gone."""
    with db.read_session() as s:
        job = s.get(UploadJob, run.job_id)
        before = UploadState(job.state) if job else state
    if not _fenced(run.job_id, run.owner, release=release, state=state,
                   state_reason=message[:500], **values):
        raise Stop(f"job {run.job_id}: lease lost")
    with db.session() as s:
        job = s.get(UploadJob, run.job_id)
        if job is not None and (before != state or message):
            _event(s, job, before.value, state.value, message)


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


# --- routing -------------------------------------------------------------------------------

def _route(run: _Run, job: UploadJob) -> tuple[Channel, Project]:
    """The channel this job uploads to now (fixed, or rotation's healthiest pick)."""
    with db.read_session() as s:
        if job.target_kind == TargetKind.CHANNEL or job.session_uri_enc or job.video_id:
            channel = s.get(Channel, job.channel_id or job.target_channel_id)
            if channel is None:
                _fail(run, job, "the target channel no longer exists", channel_fault=False)
            assert channel is not None
            if not job.session_uri_enc and not job.video_id:
                problem = _unusable(s, channel)
                if problem is not None:
                    _wait(run, *problem)
        else:
            picked, available, why = rotation.pick(
                s, group=job.target_group if job.target_kind == TargetKind.GROUP else "")
            if picked is None:
                until = available or clock.now() + REAUTH_RECHECK
                state = (UploadState.WAITING_QUOTA if "quota" in why
                         else UploadState.WAITING_CHANNEL)
                _wait(run, state, until, f"no channel can take it now ({why}); "
                                         f"next try {until.isoformat(timespec='minutes')}")
            assert picked is not None
            channel = picked
        project = s.get(Project, channel.project_id)
        assert project is not None
        return channel, project


def _unusable(session: Any, channel: Channel) -> tuple[UploadState, datetime, str] | None:
    """Why a fixed channel cannot take an upload right now, and until when."""
    if channel.state == ChannelState.NEEDS_REAUTH:
        return (UploadState.WAITING_REAUTH, clock.now() + REAUTH_RECHECK,
                f"{channel.title} needs re-consent: reconnect it on the Channels page")
    mine = rotation.assess(session, channel)
    if mine.eligible:
        return None
    until = mine.available_at or clock.now() + REAUTH_RECHECK
    state = UploadState.WAITING_QUOTA if "quota" in mine.why_not else \
        UploadState.WAITING_CHANNEL
    if ChannelState(channel.state) in (ChannelState.PAUSED, ChannelState.DISABLED):
        state = UploadState.WAITING_CHANNEL
    return state, until, f"{channel.title}: {mine.why_not}"


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

    def on_session(uri: str) -> None:
        if not _fenced(run.job_id, run.owner, session_uri_enc=vault.encrypt(uri),
                       session_started_at=clock.now()):
            raise Stop("lease lost while starting the session")

    sent_before = job.bytes_sent

    def on_chunk(confirmed: int, sent: int) -> bool:
        if _stopping.is_set():
            return False
        elapsed = max(clock.monotonic() - started, 1e-6)
        speed = max(confirmed - first_confirmed, 0) / elapsed
        eta = int((job.file_size - confirmed) / speed) if speed > 0 else None
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
    for in_run in range(IN_RUN_RETRIES + 1):
        try:
            return gateway.upload(upload, on_chunk)
        except GoogleError as error:
            if error.reason == "leaseLost":
                raise Stop("lease lost during the upload") from None
            if error.action == Action.NOT_FOUND:  # the session expired: start a new one
                upload.session_uri = None
                upload.confirmed = 0
                _fenced(run.job_id, run.owner, session_uri_enc=None, bytes_confirmed=0)
            elif error.action != Action.RETRY:
                raise
            attempts += 1
            _fenced(run.job_id, run.owner, attempts=attempts, last_error=str(error)[:1000])
            if attempts >= settings.upload_max_attempts:
                _fail(run, job, f"gave up after {attempts} attempts; last error: {error}")
            if in_run == IN_RUN_RETRIES:
                until = clock.now() + timedelta(seconds=backoff(attempts) + 5)
                _move(run, UploadState.QUEUED, f"will retry after: {error}", release=True,
                      not_before=until)
                raise Stop("retry later") from None
            delay = backoff(in_run)
            log.info("job %s: %s; retrying in %.1f s", run.job_id, error, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def _handle_upload_error(run: _Run, job: UploadJob, channel: Channel, project: Project,
                         error: GoogleError) -> None:
    """Quota, channel limits, dead tokens and bad input, each as the issue prescribes."""
    reroutable = job.target_kind != TargetKind.CHANNEL
    clear = {"channel_id": None, "project_id": None} if reroutable else {}
    if error.action == Action.WAIT_FOR_QUOTA:
        resets = clock.next_pacific_midnight(clock.now())
        if reroutable:
            _move(run, UploadState.QUEUED, f"{project.name} is out of upload quota "
                                           "(quotaExceeded); moving to another project",
                  not_before=clock.now(), **clear)
            return
        _wait(run, UploadState.WAITING_QUOTA, resets,
              f"{project.name} is out of upload quota; waiting for the reset at "
              f"{resets.isoformat(timespec='minutes')}")
    if error.action == Action.REST_CHANNEL:
        with db.session() as s:
            rotation.rest_channel(s, channel.id or 0, hours=UPLOAD_LIMIT_REST_HOURS,
                                  reason="YouTube's daily upload limit (uploadLimitExceeded)")
        if reroutable:
            _move(run, UploadState.QUEUED, f"{channel.title} hit YouTube's daily upload limit; "
                                           "moving to another channel",
                  not_before=clock.now(), **clear)
            return
        until = clock.now() + timedelta(hours=UPLOAD_LIMIT_REST_HOURS)
        _wait(run, UploadState.WAITING_CHANNEL, until,
              f"{channel.title} hit YouTube's daily upload limit; resting until "
              f"{until.isoformat(timespec='minutes')}")
    if error.action == Action.REAUTH:
        if reroutable:
            _move(run, UploadState.QUEUED, f"{channel.title} needs re-consent; moving to "
                                           "another channel", not_before=clock.now(), **clear)
            return
        _wait(run, UploadState.WAITING_REAUTH, clock.now() + REAUTH_RECHECK,
              f"{channel.title} needs re-consent: reconnect it on the Channels page")
    if error.action == Action.FIX_INPUT:
        _fail(run, job, f"YouTube refused the video's details: {error}", channel_fault=False)
    _fail(run, job, f"YouTube refused the upload: {error}")


# --- after the insert ------------------------------------------------------------------------

def _finish(run: _Run, job: UploadJob, gateway: Gateway) -> None:
    """Thumbnail and playlist, charged with FINISH priority (they may use the reserve)."""
    warnings = [job.warning] if job.warning else []
    if job.thumbnail_path and not job.thumbnail_done:
        mimetype = "image/png" if job.thumbnail_path.endswith(".png") else "image/jpeg"
        try:
            gateway.call("thumbnails.set", lambda yt: yt.thumbnails().set(
                videoId=job.video_id, media_body=MediaFileUpload(job.thumbnail_path,
                                                                 mimetype=mimetype)))
        except GoogleError as error:
            if error.retryable:
                raise
            warnings.append(f"thumbnail not set: {error.message}"
                            + (" (custom thumbnails need a phone-verified channel)"
                               if error.action == Action.FORBIDDEN else ""))
        _fenced(run.job_id, run.owner, thumbnail_done=True, warning="; ".join(warnings)[:500])
    if job.playlist_title and not job.playlist_done:
        try:
            playlist_id = _playlist(gateway, job.playlist_title)
            gateway.call("playlistItems.insert", lambda yt: yt.playlistItems().insert(
                part="snippet", body={"snippet": {"playlistId": playlist_id, "resourceId": {
                    "kind": "youtube#video", "videoId": job.video_id}}}))
        except GoogleError as error:
            if error.retryable:
                raise
            warnings.append(f"not added to playlist {job.playlist_title!r}: {error.message}")
        _fenced(run.job_id, run.owner, playlist_done=True, warning="; ".join(warnings)[:500])


def _playlist(gateway: Gateway, title: str) -> str:
    """The channel's playlist with this title, created (private) if it does not exist."""
    page_token = None
    while True:
        answer = gateway.call("playlists.list", lambda yt, token=page_token: yt.playlists().list(
            part="snippet", mine=True, maxResults=50, pageToken=token))
        for item in answer.get("items", []):
            if item["snippet"]["title"].strip().lower() == title.strip().lower():
                return str(item["id"])
        page_token = answer.get("nextPageToken")
        if not page_token:
            break
    created = gateway.call("playlists.insert", lambda yt: yt.playlists().insert(
        part="snippet,status", body={"snippet": {"title": title},
                                     "status": {"privacyStatus": "private"}}))
    return str(created["id"])


def _poll(run: _Run, job: UploadJob) -> None:
    """Ask YouTube whether the video is processed; publish, fail, or look again later."""
    assert job.video_id and job.channel_id
    gateway = channel_gateway(job.channel_id, Priority.FINISH)
    answer = gateway.call("videos.list", lambda yt: yt.videos().list(
        part="status,processingDetails", id=job.video_id))
    items = answer.get("items") or []
    if not items:
        _fail(run, job, f"video {job.video_id} is no longer on YouTube", channel_fault=False)
    status = items[0].get("status", {})
    upload_status = status.get("uploadStatus", "")
    if upload_status == "processed":
        _move(run, UploadState.PUBLISHED,
              f"YouTube processed video {job.video_id} ({status.get('privacyStatus', '')}"
              + (f", publishes at {status['publishAt']}" if status.get("publishAt") else "")
              + ")", release=True, finished_at=clock.now())
        with db.session() as s:
            rotation.record_outcome(s, job.channel_id, success=True)
        return
    if upload_status in ("failed", "rejected", "deleted"):
        reason = status.get("failureReason") or status.get("rejectionReason") or upload_status
        with db.session() as s:
            alerts.raise_alert(session=s, kind=f"upload.{upload_status}",
                               severity=Severity.CRITICAL,
                               subject=f"video {job.video_id} {upload_status}: {job.title[:80]}",
                               message=f"YouTube {upload_status} the video: {reason}",
                               project_id=job.project_id, channel_id=job.channel_id)
        _fail(run, job, f"YouTube {upload_status} the video ({reason})")
    waited = (clock.now() - clock.as_utc(job.started_at or job.created_at)).total_seconds()
    interval = min(MAX_POLL_INTERVAL, max(get_settings().processing_poll_seconds, waited / 4))
    _fenced(run.job_id, run.owner, release=True,
            not_before=clock.now() + timedelta(seconds=interval))


def _check_privacy(run: _Run, job: UploadJob, project: Project, video: dict[str, Any]) -> str:
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


def run_job(job_id: int, owner: str) -> None:
    """Do whatever a claimed job needs next; always gives the lease back."""
    run = _Run(job_id, owner)
    try:
        with db.read_session() as s:
            job = s.get(UploadJob, job_id)
        if job is None:
            return
        if job.state == UploadState.PROCESSING:
            _poll(run, job)
            return
        for _ in range(5):  # a reroute tries another channel within the same run
            channel, project = _route(run, job)
            if job.channel_id != channel.id or job.state != UploadState.UPLOADING:
                _move(run, UploadState.UPLOADING,
                      f"uploading to {channel.title} ({project.name})" if not job.video_id
                      else "finishing", channel_id=channel.id, project_id=project.id,
                      started_at=job.started_at or clock.now(), not_before=clock.now())
            if job.video_id:
                break
            try:
                video = _upload(run, job, channel, project)
            except QuotaUnavailable as exc:
                error = GoogleError(Action.WAIT_FOR_QUOTA, "quotaReserved", str(exc))
                if job.target_kind == TargetKind.CHANNEL:
                    _wait(run, UploadState.WAITING_QUOTA, exc.resets_at,
                          f"{project.name} has no upload quota left today (our count); "
                          f"waiting for the reset at {exc.resets_at.isoformat(timespec='minutes')}")
                _handle_upload_error(run, job, channel, project, error)
            except GoogleError as error:
                _handle_upload_error(run, job, channel, project, error)
            else:
                warning = _check_privacy(run, job, project, video)
                _move(run, UploadState.UPLOADING, f"inserted as video {video['id']}",
                      video_id=video["id"], session_uri_enc=None,
                      bytes_confirmed=job.file_size, warning=warning, eta_seconds=0)
                break
            with db.read_session() as s:
                job = s.get(UploadJob, job_id)  # rerouted: read the cleared routing back
            assert job is not None
        else:
            _wait(run, UploadState.WAITING_CHANNEL, clock.now() + REAUTH_RECHECK,
                  "every channel tried refused the upload; trying again in 5 minutes")
        with db.read_session() as s:
            job = s.get(UploadJob, job_id)
        assert job is not None and job.channel_id
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
        if free <= 0:
            return []
        owner = f"{lease.process_owner()}:uploads"
        now = clock.now()
        with db.session() as s:
            ids = lease.claim(session=s, model=UploadJob, owner=owner, ttl=_ttl(),
                              where=[col(UploadJob.state).in_(CLAIMABLE),
                                     col(UploadJob.not_before) <= now],
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
                self._active.pop(job_id, None)

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
