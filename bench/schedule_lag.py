"""Scheduling lag and idle cost of the upload scheduler.

    python bench/schedule_lag.py [--jobs 100] [--spread 60] [--idle-jobs 1000] [--idle-seconds 60]

1. Lag: --jobs small uploads due at random moments over the next --spread seconds, a
   `tubefleet worker` process with free slots (default settings: a 2 s tick). The lag is
   the time between a job's due time and the start of its upload. Prints p50/p99/max.
2. Idle: --idle-jobs jobs scheduled for tomorrow and a worker left alone for
   --idle-seconds; prints the worker's CPU time as a share of one core.
Targets: p99 lag under 5 s; idle CPU under 2 % of one core.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox_ingest import start, stop  # noqa: E402
from upload_throughput import make_video, setup  # noqa: E402


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def schedule_jobs(channel_id: int, video: Path, due: list[float]) -> list[int]:
    """Jobs sharing one stored file, each due `seconds` from now."""
    from core import clock, db, uploads
    from models import TargetKind, UploadJob, UploadState

    stored = uploads.store_path(video)
    now = clock.now()
    ids = []
    with db.session() as s:
        for n, seconds in enumerate(due):
            at = now + timedelta(seconds=seconds)
            job = UploadJob(
                created_at=now,
                created_by="bench",
                updated_at=now,
                state=UploadState.SCHEDULED,
                not_before=at,
                scheduled_for=at,
                target_kind=TargetKind.CHANNEL,
                target_channel_id=channel_id,
                file_path=stored.path,
                file_name=video.name,
                file_size=stored.size,
                file_md5=stored.md5,
                content_type="video/mp4",
                title=f"lag {n}",
            )
            s.add(job)
            s.flush()
            ids.append(job.id)
    return ids


def lift_limits(sandbox_url: str, channel_id: int) -> None:
    """A hundred uploads must not run into the 100-a-day insert bucket or the channel's
    daily cap: this measures the scheduler, not the limits."""
    from sqlmodel import select

    from core import channels, db, projects
    from models import Project
    from sandbox.control import SandboxControl

    limits = {"videos.insert": 10_000, "default": 1_000_000}
    with db.session() as s:
        project = s.exec(select(Project)).one()
        projects.update_project(
            session=s, project_id=project.id or 0, actor="bench", quota_policy={"limits": limits}
        )
        channels.set_daily_cap(session=s, channel_id=channel_id, cap=500, actor="bench")
        client_id = project.client_id
    with SandboxControl(sandbox_url) as control:
        control.update_project(client_id, limits=limits)


def worker(env: dict[str, str], **overrides: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env={**os.environ, **env, **overrides},
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--spread", type=float, default=60.0)
    parser.add_argument("--idle-jobs", type=int, default=1000)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tubefleet-bench-") as tmp:
        data = Path(tmp)
        sandbox, url = start(
            [
                sys.executable,
                "-m",
                "sandbox",
                "--port",
                "0",
                "--data",
                str(data / "sandbox"),
                "--processing-delay",
                "0",
            ],
            "sandbox listening on ",
        )
        try:
            env, channel_id, _ = setup(data, url, 8)
            # The default tick, and enough slots that no job waits for a free worker.
            env["TUBEFLEET_UPLOAD_TICK_SECONDS"] = "2"
            env["TUBEFLEET_UPLOAD_CONCURRENCY"] = "8"
            lift_limits(url, channel_id)
            video = make_video(data / "small.mp4", 1)
            due = sorted(random.uniform(5, 5 + args.spread) for _ in range(args.jobs))
            ids = schedule_jobs(channel_id, video, due)
            proc = worker(env)
            try:
                lags = wait_for_starts(ids, deadline=time.monotonic() + args.spread + 120)
            finally:
                stop(proc)  # type: ignore[arg-type]

            tomorrow = [86_400 + n for n in range(args.idle_jobs)]
            schedule_jobs(channel_id, video, tomorrow)
            proc = worker(env)
            try:
                time.sleep(10)  # start-up (imports, first ticks) is not idle time
                cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
                time.sleep(args.idle_seconds)
                share = (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - wall0)
            finally:
                stop(proc)  # type: ignore[arg-type]
        finally:
            stop(sandbox)
    lags.sort()
    p50 = statistics.median(lags)
    p99 = lags[min(len(lags) - 1, round(0.99 * (len(lags) - 1)))]
    print(f"\n{len(lags)} jobs due over {args.spread:.0f} s, tick 2 s, 8 worker slots")
    print(
        f"  lag from due time to upload start: p50 {p50:.2f} s, p99 {p99:.2f} s, "
        f"max {lags[-1]:.2f} s   (target p99 < 5 s)"
    )
    print(
        f"{args.idle_jobs} jobs scheduled for tomorrow, worker idle for {args.idle_seconds:.0f} s"
    )
    print(f"  CPU: {share:.2%} of one core   (target < 2 %)")


def wait_for_starts(ids: list[int], deadline: float) -> list[float]:
    from sqlmodel import col, select

    from core import db
    from models import UploadJob

    while time.monotonic() < deadline:
        with db.read_session() as s:
            jobs = s.exec(select(UploadJob).where(col(UploadJob.id).in_(ids))).all()
        if all(j.started_at is not None for j in jobs):
            return [(j.started_at - j.scheduled_for).total_seconds() for j in jobs]
        time.sleep(0.5)
    raise SystemExit("not every job started before the deadline")


if __name__ == "__main__":
    main()
