"""Jobs waiting on a channel or on quota go on as soon as what they wait for changes: a
reconnect (which keeps the channel's state) or a raised limit, not minutes or a day later."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core import channels, clock, db, projects, tokens, uploads
from models import Channel, ChannelState, TargetKind, UploadJob, UploadState
from tests.integration.world import SYSTEM, SandboxWorld, fake_video, run_jobs_until_done

MB = 1024 * 1024

pytestmark = pytest.mark.usefixtures("upload_world")


def _enqueue(video: Path, channel: Channel, title: str) -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video),
            file_name=video.name,
            title=title,
            target=TargetKind.CHANNEL,
            channel_id=channel.id,
            when_text="now",
            tz="UTC",
        ),  # type: ignore[call-arg]
        actor=SYSTEM,
    )
    return job_id


def _state(channel_id: int | None) -> ChannelState:
    with db.read_session() as s:
        row = s.get(Channel, channel_id)
        assert row is not None
        return ChannelState(row.state)


def test_reconnecting_a_reserve_channel_keeps_it_reserve_and_its_waiting_job_goes_on(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project()
    channel = world.connected_channel(project, "Backup Vlog", state=ChannelState.RESERVE)
    grant = next(g for g in world.control.grants() if g["channel_id"] == channel.youtube_id)
    world.control.revoke_grant(grant["id"])
    clock.shift(timedelta(minutes=45))  # the token is due for refresh: Google refuses it
    assert tokens.refresh_due().needs_reauth == 1
    assert _state(channel.id) == ChannelState.NEEDS_REAUTH

    job_id = _enqueue(fake_video(tmp_path / "a.mp4", MB), channel, "Waits for consent")
    [waiting] = run_jobs_until_done([job_id], done=(UploadState.WAITING_REAUTH,)).values()
    assert clock.as_utc(waiting.not_before) >= clock.now() + timedelta(minutes=4)

    fresh = world.grant(project, {"id": channel.youtube_id})
    channels.import_channel(project=project, refresh_token=fresh["refresh_token"], actor="ops")
    assert _state(channel.id) == ChannelState.RESERVE  # not made active behind anyone's back
    # No clock shift and no hand-set not_before: the reconnect itself made the job due.
    job = run_jobs_until_done([job_id], timeout=30)[job_id]
    assert job.state == UploadState.PUBLISHED, job.state_reason
    assert len(world.control.videos(channel_id=channel.youtube_id)) == 1


def test_raising_a_limit_lets_jobs_waiting_for_quota_go_on_at_once(
    world: SandboxWorld, tmp_path: Path
) -> None:
    # TubeFleet counts one upload a day for this project (Google would allow 100).
    project = world.project(our_limits={"videos.insert": 1})
    channel = world.connected_channel(project, "Daily Vlog")
    first = _enqueue(fake_video(tmp_path / "one.mp4", MB, seed=1), channel, "Day one")
    second = _enqueue(fake_video(tmp_path / "two.mp4", MB, seed=2), channel, "Day two")
    jobs = run_jobs_until_done(
        [first, second], done=(UploadState.PUBLISHED, UploadState.WAITING_QUOTA)
    )
    [waiting] = [j for j in jobs.values() if j.state == UploadState.WAITING_QUOTA]
    assert clock.as_utc(waiting.not_before) == clock.next_pacific_midnight(clock.now())

    with db.session() as s:
        policy = dict(projects.get(session=s, project_id=project.id or 0).quota_policy)
        policy["limits"] = {**policy.get("limits", {}), "videos.insert": 5}
        projects.update_project(
            session=s, project_id=project.id or 0, actor="admin", quota_policy=policy
        )
    job = run_jobs_until_done([waiting.id or 0], timeout=30)[waiting.id or 0]
    assert job.state == UploadState.PUBLISHED, job.state_reason


def test_lowering_a_limit_wakes_nothing(world: SandboxWorld, tmp_path: Path) -> None:
    project = world.project(our_limits={"videos.insert": 1})
    channel = world.connected_channel(project, "Slow Vlog")
    ids = [
        _enqueue(fake_video(tmp_path / f"{n}.mp4", MB, seed=n), channel, f"Video {n}")
        for n in (1, 2)
    ]
    jobs = run_jobs_until_done(ids, done=(UploadState.PUBLISHED, UploadState.WAITING_QUOTA))
    [waiting] = [j for j in jobs.values() if j.state == UploadState.WAITING_QUOTA]
    with db.session() as s:
        policy = dict(projects.get(session=s, project_id=project.id or 0).quota_policy)
        policy["limits"] = {**policy.get("limits", {}), "default": 5_000}
        projects.update_project(
            session=s, project_id=project.id or 0, actor="admin", quota_policy=policy
        )
    with db.read_session() as s:
        after = s.get(UploadJob, waiting.id)
    assert after is not None and after.not_before == waiting.not_before
