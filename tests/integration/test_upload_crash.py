"""A worker killed with SIGKILL mid-upload, again and again: every job ends published,
once, with the right bytes, and resuming sends less than starting over would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from core import db, uploads
from models import TargetKind, UploadJob, UploadState
from tests.integration.world import SYSTEM, SandboxWorld, fake_video, md5_of

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
KILLS = 4


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _jobs() -> list[UploadJob]:
    with db.read_session() as s:
        return list(s.exec(select(UploadJob).order_by(UploadJob.id)).all())


@pytest.mark.slow
def test_sigkill_mid_upload_never_uploads_twice(world: SandboxWorld, tmp_path: Path) -> None:
    project = world.project()
    channels = [world.connected_channel(project, f"Crash Channel {n}") for n in range(2)]
    files = [fake_video(tmp_path / f"crash{n}.mp4", 6 * MB + n * 77_777, seed=n) for n in range(4)]
    for n, path in enumerate(files):
        uploads.enqueue(
            uploads.UploadRequest(
                video=uploads.store_path(path),
                file_name=path.name,
                title=f"Crash test {n}",
                target=TargetKind.CHANNEL,
                channel_id=channels[n % 2].id,
            ),
            actor=SYSTEM,
        )
    # Slow the chunks down so a kill lands in the middle of uploads.
    world.control.add_fault("latency", method="upload_chunk", latency_ms=25, count=100_000)
    world.control.update_settings(processing_delay=0.2)
    env = {
        **os.environ,
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_UPLOAD_CHUNK_BYTES": str(256 * 1024),
        "TUBEFLEET_UPLOAD_TICK_SECONDS": "1",
        "TUBEFLEET_LEASE_SECONDS": "5",
        "TUBEFLEET_UPLOAD_CONCURRENCY": "2",
        "TUBEFLEET_PROCESSING_POLL_SECONDS": "1",
    }

    lost_progress = 0  # bytes a restart from zero would have sent again
    kills = 0
    deadline = time.monotonic() + 240
    while kills < KILLS and time.monotonic() < deadline:
        worker = _worker(env)
        before = {j.id: j.bytes_confirmed for j in _jobs()}
        # Wait until an upload has moved forward in this life of the worker, then kill it.
        while time.monotonic() < deadline and worker.poll() is None:
            moving = [
                j
                for j in _jobs()
                if j.state == UploadState.UPLOADING
                and 0 < j.bytes_confirmed < j.file_size
                and j.bytes_confirmed > (before.get(j.id) or 0)
            ]
            if moving:
                break
            if all(
                UploadState(j.state).finished or j.state == UploadState.PROCESSING for j in _jobs()
            ):
                break
            time.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        in_flight = [j for j in _jobs() if j.state == UploadState.UPLOADING and not j.video_id]
        if not in_flight:
            break
        lost_progress += sum(j.bytes_confirmed for j in in_flight)
        kills += 1
    assert kills >= 2, "the worker finished before it could be killed mid-upload"

    worker = _worker(env)
    try:
        while time.monotonic() < deadline:
            if all(j.state in (UploadState.PUBLISHED, UploadState.FAILED) for j in _jobs()):
                break
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    jobs = _jobs()
    assert [j.state for j in jobs] == [UploadState.PUBLISHED] * 4, [j.state_reason for j in jobs]
    videos = world.control.videos()
    assert len(videos) == 4, "a video was uploaded twice (or not at all)"
    by_id = {v["id"]: v for v in videos}
    for job, path in zip(jobs, files, strict=True):
        assert by_id[job.video_id]["md5"] == md5_of(path)
    sessions = world.control.uploads()
    assert len(sessions) == 4  # each video came through one session, resumed after kills
    received = sum(
        e.get("bytes") or 0 for e in world.control.log(method="upload_chunk", limit=100_000)
    )
    total = sum(p.stat().st_size for p in files)
    starting_over = total + lost_progress
    print(
        f"\n{kills} kills; sent {received:,} bytes for {total:,} bytes of video; "
        f"starting over would have sent at least {starting_over:,}"
    )
    assert lost_progress > 0
    assert total <= received < starting_over
