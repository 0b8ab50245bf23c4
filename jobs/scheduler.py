"""Exactly one APScheduler per process, started by the web backend or `tubefleet worker`.

The scheduler only wakes jobs up; every job reads and claims its work from the
database, so any number of processes can run it side by side.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from core.settings import get_settings

log = logging.getLogger("tubefleet.scheduler")


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: its id, the function to call and its interval."""

    id: str
    func: Callable[[], object]
    seconds: float
    # Run once right after start instead of waiting a whole interval.
    run_at_start: bool = True


_lock = threading.Lock()
_scheduler: BackgroundScheduler | None = None
_kind = ""


def default_jobs() -> list[JobSpec]:
    """Every periodic job TubeFleet runs (imported lazily to keep start-up cheap)."""
    from jobs import heartbeat, housekeeping, rotation, tokens, uploads

    settings = get_settings()
    specs = [
        JobSpec("heartbeat", heartbeat.run, settings.heartbeat_seconds),
        JobSpec(
            "housekeeping", housekeeping.run, housekeeping.EVERY.total_seconds(), run_at_start=False
        ),
        JobSpec("tokens", tokens.run, settings.token_refresh_minutes * 60),
        JobSpec("uploads", uploads.run, settings.upload_tick_seconds),
        JobSpec("rotation", rotation.run, settings.rotation_tick_minutes * 60),
    ]
    return specs


def start(kind: str, jobs: list[JobSpec] | None = None) -> BackgroundScheduler:
    """Start this process's scheduler (idempotent: a second call returns the same one)."""
    global _scheduler, _kind
    with _lock:
        if _scheduler is not None and _scheduler.running:
            return _scheduler
        from jobs import heartbeat

        heartbeat.set_kind(kind)
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=8)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone="UTC",
        )
        for spec in jobs if jobs is not None else default_jobs():
            kwargs: dict[str, object] = {}
            if spec.run_at_start:
                # Wake-ups use wall time, as APScheduler does; domain time is core.clock.
                kwargs["next_run_time"] = datetime.now(UTC)
            scheduler.add_job(
                spec.func,
                "interval",
                seconds=spec.seconds,
                id=spec.id,
                name=spec.id,
                replace_existing=True,
                **kwargs,
            )
        scheduler.start()
        _scheduler, _kind = scheduler, kind
        log.info(
            "scheduler started (%s) with jobs: %s",
            kind,
            ", ".join(j.id for j in scheduler.get_jobs()),
        )
        return scheduler


def stop(wait: bool = True) -> None:
    """Stop waking jobs, then let running uploads hand their jobs back."""
    global _scheduler
    with _lock:
        if _scheduler is not None and _scheduler.running:
            had_uploads = _scheduler.get_job("uploads") is not None
            _scheduler.shutdown(wait=wait)
            if had_uploads:
                from jobs import uploads

                uploads.stop()
            log.info("scheduler stopped")
        _scheduler = None


def is_running() -> bool:
    return _scheduler is not None and _scheduler.running


def wake(job_id: str) -> None:
    """Run a job soon instead of at its next interval (e.g. after a form enqueues work)."""
    if _scheduler is not None and _scheduler.running:
        job = _scheduler.get_job(job_id)
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))
