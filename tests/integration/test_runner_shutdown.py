"""A runner shut down mid-upload hands its job back at once, and a runner started later in
the same process (a test, the CLI) finishes it from the stored offset: one runner's
shutdown never stops another's uploads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core import db, uploads
from core.settings import reload_settings
from core.uploads import Runner
from models import TargetKind, UploadJob, UploadState
from tests.integration.world import SYSTEM, SandboxWorld, fake_video, md5_of, run_jobs_until_done

MB = 1024 * 1024


@pytest.fixture
def small_chunks(any_world: SandboxWorld, monkeypatch: pytest.MonkeyPatch) -> SandboxWorld:
    """The world on SQLite and on PostgreSQL, with 256 KiB chunks: a 3 MB file takes 12."""
    monkeypatch.setenv("TUBEFLEET_UPLOAD_CHUNK_BYTES", str(256 * 1024))
    monkeypatch.setenv("TUBEFLEET_PROCESSING_POLL_SECONDS", "1")
    reload_settings()
    any_world.control.update_settings(processing_delay=0.5)
    return any_world


def _job(job_id: int) -> UploadJob:
    with db.read_session() as s:
        found = s.get(UploadJob, job_id)
    assert found is not None
    return found


def test_a_runner_started_after_another_shut_down_finishes_its_upload(
    small_chunks: SandboxWorld, tmp_path: Path
) -> None:
    world = small_chunks
    channel = world.connected_channel(world.project(), "Restarted Worker")
    video = fake_video(tmp_path / "restart.mp4", 3 * MB)
    world.control.add_fault("latency", method="upload_chunk", latency_ms=30, count=1000)
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video),
            file_name=video.name,
            title="Restarted",
            target=TargetKind.CHANNEL,
            channel_id=channel.id,
        ),
        actor=SYSTEM,
    )
    first = Runner(concurrency=1)
    try:
        deadline = time.monotonic() + 30
        while _job(job_id).bytes_confirmed == 0 and time.monotonic() < deadline:
            first.tick()
            time.sleep(0.02)
    finally:
        first.shutdown(wait=True)
    handed_back = _job(job_id)
    # Stopped at its next chunk, the job free for anyone, the confirmed offset stored.
    assert handed_back.lease_owner is None
    assert 0 < handed_back.bytes_confirmed < handed_back.file_size
    assert handed_back.state == UploadState.UPLOADING

    final = run_jobs_until_done([job_id])[job_id]  # a new runner in this same process

    assert final.state == UploadState.PUBLISHED, final.state_reason
    [stored] = world.control.videos(channel_id=channel.youtube_id)
    assert stored["id"] == final.video_id and stored["md5"] == md5_of(video)
    assert len(world.control.uploads()) == 1  # the second runner continued the session
    received = sum(e.get("bytes") or 0 for e in world.control.log(method="upload_chunk"))
    assert received == video.stat().st_size  # no confirmed byte was sent twice
