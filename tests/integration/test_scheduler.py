"""One scheduler per process; its heartbeat lands in the database."""

from __future__ import annotations

import time

from core import db, heartbeat, lease
from jobs import heartbeat as heartbeat_job
from jobs import scheduler


def test_scheduler_starts_once_and_records_heartbeats(database: str) -> None:
    jobs = [scheduler.JobSpec("heartbeat", heartbeat_job.run, 0.2)]
    first = scheduler.start("worker", jobs=jobs)
    try:
        assert scheduler.start("web", jobs=jobs) is first  # exactly one per process
        assert scheduler.is_running()
        deadline = time.monotonic() + 10
        beats: list[heartbeat.HeartbeatView] = []
        while time.monotonic() < deadline:
            with db.session() as s:
                beats = heartbeat.recent(session=s, interval_seconds=1)
            if beats and beats[0].ticks >= 3:
                break
            time.sleep(0.1)
    finally:
        scheduler.stop()
    assert not scheduler.is_running()
    assert len(beats) == 1
    beat = beats[0]
    assert beat.worker_id == lease.process_owner() and beat.kind == "worker"
    assert beat.ticks >= 3 and beat.alive and beat.age_seconds < 5
