"""Attacks on other people's upload jobs (issue 9, finding 1), played through core, the
one way in every client (the Uploads page, the CLI, a future API) goes through.

- a marketer cancels, retries or reschedules a job another marketer scheduled;
- anyone retries a cancelled job scheduled for next March, and it is uploaded (public)
  at once instead of in March.

The tests speak to whichever core API the code under test has: before the fix the
actor was the email the page passed as a string; now it is the signed-in person
(`core.auth.CurrentUser`). The adapter below picks the form, so on the old code these
tests fail on the vulnerability itself, not on a changed signature.
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from core import auth, clock, db, uploads
from core.uploads import Runner
from models import Channel, Role, TargetKind, UploadEvent, UploadJob, UploadState
from tests.integration.world import SandboxWorld, fake_video, person

MB = 1024 * 1024
PASSWORD = "correct horse battery"
# What core raises for a refused action (PermissionError before the fix: nothing did).
REFUSED = getattr(uploads, "NotAllowed", PermissionError)

pytestmark = pytest.mark.usefixtures("upload_world")


def acting(who: auth.CurrentUser) -> Any:
    """`who` as the code under test takes an actor: the person, or (before the fix, when
    `actor` was annotated `str`) the email the Uploads page passed."""
    annotation = inspect.signature(uploads.retry).parameters["actor"].annotation
    return who.email if annotation in ("str", str) else who


def next_march() -> str:
    now = clock.now()
    return f"{now.year + (1 if now.month >= 3 else 0)}-03-15 18:00 UTC"


def schedule(tmp_path: Path, channel: Channel, owner: auth.CurrentUser, *, when_text: str) -> int:
    video = fake_video(tmp_path / f"{owner.email}.mp4", MB)
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video),
            file_name=video.name,
            title="Spring launch",
            privacy="public",
            target=TargetKind.CHANNEL,
            channel_id=channel.id,
            when_text=when_text,
            tz="UTC",
        ),
        actor=acting(owner),
    )
    return job_id


def snapshot(job_id: int) -> dict[str, Any]:
    """Everything an attack could change about a job, its history included."""
    with db.read_session() as s:
        job = s.get(UploadJob, job_id)
        assert job is not None
        events = s.exec(
            select(func.count()).select_from(UploadEvent).where(UploadEvent.job_id == job_id)
        ).one()
        return {
            "state": job.state,
            "not_before": job.not_before,
            "scheduled_for": job.scheduled_for,
            "publish_at": job.publish_at,
            "updated_at": job.updated_at,
            "attempts": job.attempts,
            "events": events,
        }


@pytest.fixture
def victim_job(
    world: SandboxWorld, tmp_path: Path
) -> tuple[int, auth.CurrentUser, auth.CurrentUser, Channel]:
    """Alice's public video, scheduled for next March; Mallory is another marketer."""
    alice = person("alice@example.com")
    mallory = person("mallory@example.com")
    channel = world.connected_channel(world.project(), "Brand Channel")
    return schedule(tmp_path, channel, alice, when_text=next_march()), alice, mallory, channel


def test_a_marketer_cannot_cancel_another_marketers_job(victim_job: Any) -> None:
    job_id, _alice, mallory, _channel = victim_job
    before = snapshot(job_id)
    with pytest.raises(REFUSED, match="only the person who scheduled it or an operator"):
        uploads.cancel(job_id=job_id, actor=acting(mallory))
    assert snapshot(job_id) == before


def test_a_marketer_cannot_retry_another_marketers_cancelled_job(victim_job: Any) -> None:
    job_id, alice, mallory, _channel = victim_job
    uploads.cancel(job_id=job_id, actor=acting(alice))  # Alice changed her mind
    before = snapshot(job_id)
    with pytest.raises(REFUSED, match="only the person who scheduled it or an operator"):
        uploads.retry(job_id=job_id, actor=acting(mallory))
    assert snapshot(job_id) == before
    assert before["state"] == UploadState.CANCELLED


def test_a_marketer_cannot_reschedule_another_marketers_job(victim_job: Any) -> None:
    job_id, _alice, mallory, _channel = victim_job
    before = snapshot(job_id)
    with pytest.raises(REFUSED, match="only the person who scheduled it or an operator"):
        uploads.reschedule(job_id=job_id, when_text="now", tz="UTC", actor=acting(mallory))
    assert snapshot(job_id) == before


def test_retry_of_a_cancelled_job_keeps_next_march(world: SandboxWorld, victim_job: Any) -> None:
    job_id, alice, _mallory, channel = victim_job
    planned = snapshot(job_id)
    assert planned["state"] == UploadState.SCHEDULED
    uploads.cancel(job_id=job_id, actor=acting(alice))
    uploads.retry(job_id=job_id, actor=acting(alice))  # her own job: allowed
    after = snapshot(job_id)
    # The runner ticks now (as the scheduler does every 2 s): nothing is due.
    runner = Runner(concurrency=2)
    claimed: list[int] = []
    try:
        for _ in range(5):
            claimed += runner.tick()
            time.sleep(0.05)
    finally:
        runner.shutdown(wait=True)
    assert claimed == [], "the retried job started now instead of next March"
    assert world.control.videos(channel_id=channel.youtube_id) == []
    assert after["not_before"] == planned["not_before"]
    assert after["scheduled_for"] == planned["scheduled_for"]
    assert after["state"] == snapshot(job_id)["state"] == UploadState.SCHEDULED
    starts = clock.as_utc(after["not_before"])
    assert (starts.month, starts.day, starts.hour) == (3, 15, 18) and starts > clock.now()


def test_an_operator_may_change_anyones_job_and_the_owner_their_own(victim_job: Any) -> None:
    job_id, alice, _mallory, _channel = victim_job
    ops = person("ops@example.com", Role.OPERATOR)
    uploads.cancel(job_id=job_id, actor=acting(ops))
    assert snapshot(job_id)["state"] == UploadState.CANCELLED
    uploads.retry(job_id=job_id, actor=acting(alice))
    assert snapshot(job_id)["state"] == UploadState.SCHEDULED
    uploads.reschedule(job_id=job_id, when_text="in 2 days", tz="UTC", actor=acting(ops))
    assert snapshot(job_id)["state"] == UploadState.SCHEDULED
