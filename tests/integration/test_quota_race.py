"""Auto jobs racing for the last units of the videos.insert bucket (issue 9).

Every job that loses the race must wait for the quota reset (`waiting_quota`, with the
reset time), never for a channel: the pool has channels, only the project's quota is
used up. Repeated, because a race that is lost only sometimes is the point.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from core import clock, db, uploads
from core.uploads import Runner
from models import TargetKind, UploadJob, UploadState
from models.quota import QuotaUsage
from sandbox.control import SandboxControl
from tests.integration.world import SYSTEM, SandboxWorld, fake_video, run_jobs_until_done

INSERT_LIMIT = 3
JOBS = 5
REPEATS = 20


@pytest.fixture
def race_world(
    any_database: str, control: SandboxControl, sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxWorld]:
    """`upload_world` (256 KiB chunks, quick processing) on SQLite and on PostgreSQL."""
    from core.settings import reload_settings
    from youtube.oauth import allow_plain_http

    monkeypatch.setenv("TUBEFLEET_SANDBOX_URL", sandbox_url)
    monkeypatch.setenv("TUBEFLEET_UPLOAD_CHUNK_BYTES", str(256 * 1024))
    monkeypatch.setenv("TUBEFLEET_PROCESSING_POLL_SECONDS", "1")
    reload_settings()
    allow_plain_http()
    control.update_settings(processing_delay=0.5)
    yield SandboxWorld(control, sandbox_url)
    clock.reset()


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_auto_jobs_that_lose_the_race_for_the_last_insert_wait_for_the_quota_reset(
    race_world: SandboxWorld, tmp_path: Path, attempt: int
) -> None:
    world = race_world
    limits = {"videos.insert": INSERT_LIMIT}
    project = world.project("Nearly Full", limits=limits, our_limits=limits)
    channels = [world.connected_channel(project, f"Racer {n}") for n in range(2)]
    video = uploads.store_path(fake_video(tmp_path / "race.mp4", 300_000, seed=attempt))
    job_ids = [
        jid
        for n in range(JOBS)
        for jid in uploads.enqueue(
            uploads.UploadRequest(
                video=video,
                file_name="race.mp4",
                title=f"Race {attempt}.{n}",
                target=TargetKind.AUTO,
                when_text="now",
                tz="UTC",
            ),
            actor=SYSTEM,
        )
    ]

    started = clock.now()
    # Enough workers that all five are claimed in one tick and route at the same time.
    runner = Runner(concurrency=JOBS)
    try:
        # A job is done here once its video exists (processing) or once it waits: what
        # happens after the insert is not what races.
        final = run_jobs_until_done(
            job_ids,
            runner=runner,
            timeout=30,
            done=(
                UploadState.PROCESSING,
                UploadState.PUBLISHED,
                UploadState.FAILED,
                UploadState.CANCELLED,
                UploadState.WAITING_QUOTA,
                UploadState.WAITING_CHANNEL,
            ),
        )
    finally:
        runner.shutdown(wait=True)

    # Google's quota day ends at midnight Pacific (the same for the whole run, unless it
    # happened to straddle midnight).
    resets = {clock.next_pacific_midnight(started), clock.next_pacific_midnight(clock.now())}
    states = {j: (UploadState(job.state).value, job.state_reason) for j, job in final.items()}
    published = [
        j
        for j, job in final.items()
        if job.state in (UploadState.PROCESSING, UploadState.PUBLISHED)
    ]
    waiting = [j for j, job in final.items() if job.state == UploadState.WAITING_QUOTA]
    assert len(published) == INSERT_LIMIT and len(waiting) == JOBS - INSERT_LIMIT, states
    videos = world.control.videos()
    assert len(videos) == INSERT_LIMIT
    assert sorted(v["id"] for v in videos) == sorted(final[j].video_id for j in published)
    assert {final[j].channel_id for j in published} <= {c.id for c in channels}
    assert len(world.control.log(reason="quotaExceeded")) == 0  # our count stopped them
    with db.read_session() as s:
        usage = s.exec(
            select(QuotaUsage).where(
                QuotaUsage.project_id == project.id, QuotaUsage.bucket == "videos.insert"
            )
        ).one()
        assert usage.used == INSERT_LIMIT
        for job_id in waiting:
            job = s.get(UploadJob, job_id)
            assert job is not None and job.lease_owner is None
            reset = clock.as_utc(job.not_before)
            assert reset in resets, states[job_id]
            assert job.video_id is None and job.session_uri_enc is None
            last = uploads.history(session=s, job_id=job_id)[-1]
            assert last.to_state == UploadState.WAITING_QUOTA.value
            assert "quota" in last.message
            assert reset.isoformat(timespec="minutes") in last.message, last.message


def test_rotation_tells_no_channel_from_no_quota(race_world: SandboxWorld) -> None:
    """What a job that no channel can take waits for, and until when."""
    from core import quota_ledger, rotation
    from core.quota import Priority

    def choose(**kwargs: set[int]) -> rotation.Choice:
        with db.read_session() as s:
            return rotation.choose(s, **kwargs)

    reset = clock.next_pacific_midnight(clock.now())
    empty = choose()
    assert (empty.channel, empty.waits_for, empty.until) == (None, rotation.Wait.CHANNEL, None)
    assert "no active channel" in empty.why

    full = race_world.project("Full", limits={"videos.insert": 1}, our_limits={"videos.insert": 1})
    first = race_world.connected_channel(full, "In Full")
    assert choose().channel.id == first.id  # type: ignore[union-attr]
    # Refused for quota in this run (the race): the quota reset, not "no channel".
    refused = choose(exclude_projects={full.id or 0})
    assert (refused.waits_for, refused.until) == (rotation.Wait.QUOTA, reset), refused
    # Refused by the channel itself, for no reason rotation knows of: look again soon.
    assert choose(exclude_channels={first.id or 0}).waits_for == rotation.Wait.CHANNEL
    quota_ledger.reserve(project=full, method="videos.insert", priority=Priority.UPLOAD)
    used_up = choose()
    assert (used_up.waits_for, used_up.until) == (rotation.Wait.QUOTA, reset), used_up
    assert "quota used up" in used_up.why

    # Another project's channel, resting: whichever frees up first decides.
    other = race_world.connected_channel(race_world.project("Spare"), "Resting")
    with db.session() as s:  # half the time left until the reset
        rotation.rest_channel(
            s, other.id or 0, reason="test", hours=(reset - clock.now()).total_seconds() / 7200
        )
    with db.read_session() as s:
        rests_until = clock.as_utc(s.get(type(other), other.id).resting_until)  # type: ignore[union-attr]
    soon = choose()
    assert rests_until < reset
    assert (soon.waits_for, soon.until) == (rotation.Wait.CHANNEL, rests_until), soon
    with db.session() as s:
        rotation.rest_channel(s, other.id or 0, hours=30, reason="test")
    later = choose()
    assert (later.waits_for, later.until) == (rotation.Wait.QUOTA, reset), later
