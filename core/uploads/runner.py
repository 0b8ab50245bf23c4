"""The upload runner: claims due jobs with a lease and gets each video onto YouTube once.

Each tick claims as many due jobs as this process has free slots. A job is routed
(routing), its bytes sent through a resumable session whose URI and confirmed offset are
stored as it goes (transfer), YouTube's answer applied (outcomes), then the video finished
and polled until YouTube has processed it (finishing). A crash leaves the lease to expire;
the next owner asks the stored session where it stands and continues, or finds the
finished video. Writes are fenced by the lease (fencing), so a worker that lost its job
cannot overwrite the new owner's progress; the one exception is the id of a video YouTube
created, which is always recorded.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import Session, col

from core import clock, db, lease
from core.gateways import channel_gateway
from core.quota import Priority
from core.quota_ledger import QuotaUnavailable
from core.settings import get_settings
from core.uploads import finishing, outcomes, routing, transfer
from core.uploads.fencing import (
    RECHECK,
    Run,
    Stop,
    fail,
    fenced,
    lease_ttl,
    move,
    read_job,
    wait,
)
from core.uploads.rules import publish_time_passed
from models import (
    UNFINISHED,
    PublishMode,
    TargetKind,
    UploadJob,
    UploadState,
    unfinished_jobs,
)
from youtube.errors import Action, GoogleError

log = logging.getLogger("tubefleet.uploads")

CLAIMABLE = list(UNFINISHED)  # every unfinished state


def _upload_or_reroute(run: Run) -> None:
    """Route and upload until the video exists (rerouting a few times if allowed)."""
    for _ in range(5):
        job = read_job(run.job_id)
        channel, project = routing.route(run, job)
        if job.channel_id != channel.id or job.state != UploadState.UPLOADING:
            move(
                run,
                UploadState.UPLOADING,
                f"uploading to {channel.title} ({project.name})"
                if not job.video_id
                else "finishing",
                channel_id=channel.id,
                project_id=project.id,
                started_at=job.started_at or clock.now(),
                not_before=clock.now(),
            )
        if job.video_id:
            return
        if (
            job.publish_mode == PublishMode.PUBLISH_AT
            and job.publish_at is not None
            and publish_time_passed(job.publish_at, clock.now())
        ):
            fail(
                run,
                job,
                "the publish time passed while the job waited; reschedule it with a new time",
                channel_fault=False,
            )
        try:
            video = transfer.upload(run, job, channel)
        except QuotaUnavailable as exc:
            if job.target_kind == TargetKind.CHANNEL:
                wait(
                    run,
                    UploadState.WAITING_QUOTA,
                    exc.resets_at,
                    f"{project.name}: our count of its upload quota is used up; waiting "
                    f"for the reset at {exc.resets_at.isoformat(timespec='minutes')}",
                )
            outcomes.handle_upload_error(
                run, channel, project, GoogleError(Action.WAIT_FOR_QUOTA, "quotaReserved", str(exc))
            )
        except GoogleError as error:
            outcomes.handle_upload_error(run, channel, project, error)
        else:
            if not outcomes.record_video(run, video, outcomes.check_privacy(job, project, video)):
                raise Stop("cancelled while the last bytes were on the way")
            return
    wait(
        run,
        UploadState.WAITING_CHANNEL,
        clock.now() + RECHECK,
        "every channel tried refused the upload; trying again in 5 minutes",
    )


def run_job(job_id: int, owner: str, stopping: threading.Event | None = None) -> None:
    """Do whatever a claimed job needs next; always gives the lease back. Once `stopping`
    is set (the runner shuts down) an upload stops at its next chunk."""
    run = Run(job_id, owner, stopping=stopping or threading.Event())
    try:
        job = read_job(job_id)
        if job.state == UploadState.PROCESSING:
            finishing.poll(run, job)
            return
        _upload_or_reroute(run)
        job = read_job(job_id)
        assert job.channel_id
        try:
            finishing.finish(run, job, channel_gateway(job.channel_id, Priority.FINISH))
        except (GoogleError, QuotaUnavailable) as exc:
            later = (
                exc.resets_at
                if isinstance(exc, QuotaUnavailable)
                else clock.now() + timedelta(seconds=30)
            )
            move(
                run,
                UploadState.UPLOADING,
                f"thumbnail/playlist will be retried: {exc}",
                release=True,
                not_before=later,
            )
            return
        move(
            run,
            UploadState.PROCESSING,
            "waiting for YouTube to process the video",
            release=True,
            not_before=clock.now() + timedelta(seconds=get_settings().processing_poll_seconds),
        )
    except Stop as stop:
        log.info("job %s: %s", job_id, stop)
        if run.stopping.is_set():
            fenced(job_id, owner, release=True, not_before=clock.now())
    except Exception as exc:
        log.exception("job %s crashed", job_id)
        fenced(
            job_id,
            owner,
            release=True,
            last_error=f"internal error: {exc}"[:1000],
            not_before=clock.now() + timedelta(seconds=60),
        )


def claim_due(session: Session, *, owner: str, running: list[int], limit: int) -> list[int]:
    """Lease up to `limit` due jobs to `owner`, longest due first (not those in `running`).

    The condition is ix_upload_jobs_unfinished_not_before's own, so the claim reads that
    index (the few thousand unfinished jobs), never the million finished ones.
    """
    return lease.claim(
        session=session,
        model=UploadJob,
        owner=owner,
        ttl=lease_ttl(),
        where=[
            unfinished_jobs(),
            col(UploadJob.not_before) <= clock.now(),
            col(UploadJob.id).not_in(running),
        ],
        order_by=[col(UploadJob.not_before)],
        limit=limit,
    )


class Runner:
    """This process's upload workers: claims due jobs into a bounded thread pool."""

    def __init__(self, concurrency: int | None = None) -> None:
        self.concurrency = concurrency or get_settings().upload_concurrency
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="upload")
        self._active: dict[int, str] = {}
        self._lock = threading.Lock()
        self._keeper_stop = threading.Event()
        self._stopping = threading.Event()  # this runner's uploads stop at their next chunk
        self._keeper = threading.Thread(target=self._keep_leases, name="upload-leases", daemon=True)
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
        with db.session() as s:
            ids = claim_due(s, owner=owner, running=running, limit=free)
        for job_id in ids:
            with self._lock:
                self._active[job_id] = owner
            self._pool.submit(self._run, job_id, owner)
        return ids

    def _run(self, job_id: int, owner: str) -> None:
        try:
            run_job(job_id, owner, self._stopping)
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
                        lease.renew(
                            session=s, model=UploadJob, row_id=job_id, owner=owner, ttl=lease_ttl()
                        )
                except Exception:  # a renewal failing once is not fatal; the next may work
                    log.warning("could not renew the lease of job %s", job_id, exc_info=True)

    def busy(self) -> int:
        with self._lock:
            return len(self._active)

    def shutdown(self, wait: bool = True) -> None:
        """Stop: running uploads end at their next chunk and release their jobs."""
        self._stopping.set()
        self._keeper_stop.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)


_runner: Runner | None = None
_runner_lock = threading.Lock()


def process_runner() -> Runner:
    """The process's runner (created on first use)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = Runner()
        return _runner
