"""The upload pipeline against the sandbox: one video per job, whatever goes wrong."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from core import clock, db, uploads
from core.errors import InputErrors
from models import Channel, PublishMode, TargetKind, UploadEvent, UploadJob, UploadState
from tests.integration.world import (
    SYSTEM,
    SandboxWorld,
    fake_video,
    md5_of,
    run_jobs_until_done,
    tiny_png,
)

MB = 1024 * 1024


pytestmark = pytest.mark.usefixtures("upload_world")


def schedule(
    video: Path,
    channel: Channel | None = None,
    *,
    title: str = "Launch video",
    thumbnail: Path | None = None,
    playlist: str = "",
    target: TargetKind = TargetKind.CHANNEL,
    when_text: str = "now",
    privacy: str = "public",
    **extra: object,
) -> list[int]:
    request = uploads.UploadRequest(
        video=uploads.store_path(video),
        file_name=video.name,
        title=title,
        description="Made with TubeFleet",
        tags=["launch", "demo video"],
        privacy=privacy,
        thumbnail=uploads.store_path(thumbnail, thumbnail=True) if thumbnail else None,
        playlist_title=playlist,
        target=target,
        channel_id=channel.id if channel and target == TargetKind.CHANNEL else None,
        when_text=when_text,
        tz="Europe/Berlin",
        **extra,
    )  # type: ignore[arg-type]
    return uploads.enqueue(request, actor=SYSTEM)


def test_a_scheduled_upload_is_published_with_thumbnail_and_playlist(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project()
    channel = world.connected_channel(project, "Launch Channel")
    video = fake_video(tmp_path / "launch.mp4", 3 * MB + 12345)
    [job_id] = schedule(
        video, channel, thumbnail=tiny_png(tmp_path / "thumb.png"), playlist="Launches"
    )
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.PUBLISHED, job.state_reason
    [stored] = world.control.videos(channel_id=channel.youtube_id)
    assert stored["id"] == job.video_id
    assert stored["md5"] == md5_of(video) and stored["byte_count"] == video.stat().st_size
    assert stored["title"] == "Launch video" and stored["privacy"] == "public"
    assert stored["thumbnail"] is not None
    assert stored["thumbnail"]["content_type"] == "image/png"
    assert len(stored["playlists"]) == 1
    with db.read_session() as s:
        history = [
            e.to_state
            for e in s.exec(
                select(UploadEvent).where(UploadEvent.job_id == job_id).order_by(UploadEvent.id)
            ).all()
        ]
    assert history[0] == "queued" and history[-1] == "published"
    assert "uploading" in history and "processing" in history


@pytest.mark.parametrize(
    ("fault", "kwargs"),
    [
        ("status", {"method": "upload_chunk", "nth": 3, "status": 503}),
        ("drop", {"method": "upload_chunk", "nth": 4, "after_bytes": 100_000}),
        ("auth_401", {"method": "upload_chunk", "nth": 5}),
        (
            "status",
            {
                "method": "upload_chunk",
                "nth": 2,
                "status": 429,
                "reason": "rateLimitExceeded",
                "count": 2,
            },
        ),
        ("status", {"method": "videos.insert", "status": 403, "reason": "rateLimitExceeded"}),
    ],
    ids=[
        "503-on-a-chunk",
        "dropped-connection",
        "401-mid-upload",
        "429-rate-limit",
        "rateLimitExceeded-at-start",
    ],
)
def test_transient_faults_end_with_exactly_one_video(
    world: SandboxWorld, tmp_path: Path, fault: str, kwargs: dict
) -> None:
    project = world.project()
    channel = world.connected_channel(project, "Faulty Network")
    video = fake_video(tmp_path / "clip.mp4", 2 * MB + 999)
    world.control.add_fault(fault, **kwargs)
    [job_id] = schedule(video, channel)
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.PUBLISHED, job.state_reason
    assert world.control.faults()[0]["fired"] >= 1  # the fault really happened
    stored = world.control.videos(channel_id=channel.youtube_id)
    assert len(stored) == 1 and stored[0]["md5"] == md5_of(video)


def test_quota_exceeded_waits_for_the_pacific_reset(world: SandboxWorld, tmp_path: Path) -> None:
    # Google grants this project one upload a day; TubeFleet was told 100 (a wrong count).
    project = world.project(limits={"videos.insert": 1})
    channel = world.connected_channel(project, "Daily Vlog")
    first = fake_video(tmp_path / "one.mp4", MB, seed=1)
    second = fake_video(tmp_path / "two.mp4", MB, seed=2)
    [a] = schedule(first, channel, title="Day one")
    [b] = schedule(second, channel, title="Day two")
    jobs = run_jobs_until_done([a, b], done=(UploadState.PUBLISHED, UploadState.WAITING_QUOTA))
    assert {jobs[a].state, jobs[b].state} == {UploadState.PUBLISHED, UploadState.WAITING_QUOTA}
    waiting = jobs[a] if jobs[a].state == UploadState.WAITING_QUOTA else jobs[b]
    assert "quota" in waiting.state_reason
    resets = clock.next_pacific_midnight(clock.now())
    assert waiting.not_before == resets
    quota_answers = world.control.log(reason="quotaExceeded")
    assert len(quota_answers) == 1  # the first refusal stopped further calls
    # Both clocks pass midnight in Los Angeles: the job goes on by itself.
    jump = resets - clock.now() + timedelta(seconds=5)
    clock.shift(jump)
    world.control.advance_clock(jump.total_seconds())
    job = run_jobs_until_done([waiting.id or 0])[waiting.id or 0]
    assert job.state == UploadState.PUBLISHED, job.state_reason
    assert len(world.control.videos(channel_id=channel.youtube_id)) == 2
    assert len(world.control.log(reason="quotaExceeded")) == 1


def test_upload_limit_moves_an_auto_job_to_another_channel(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project()
    capped = world.connected_channel(project, "Capped Channel", daily_upload_cap=0)
    other = world.connected_channel(project, "Fresh Channel")
    video = fake_video(tmp_path / "auto.mp4", MB)
    [job_id] = schedule(video, target=TargetKind.AUTO)
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.PUBLISHED, job.state_reason
    assert job.channel_id == other.id
    assert world.control.videos(channel_id=capped.youtube_id) == []
    assert len(world.control.videos(channel_id=other.youtube_id)) == 1
    assert len(world.control.log(reason="uploadLimitExceeded")) == 1
    with db.read_session() as s:
        rested = s.get(Channel, capped.id)
        messages = [
            e.message for e in s.exec(select(UploadEvent).where(UploadEvent.job_id == job_id)).all()
        ]
    assert rested is not None and rested.resting_until is not None
    assert rested.resting_until > clock.now() + timedelta(hours=23)
    assert any("daily upload limit" in m for m in messages)


def test_invalid_title_from_google_fails_with_its_message(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project()
    channel = world.connected_channel(project, "Strict Channel")
    world.control.add_fault(
        "status",
        method="videos.insert",
        status=400,
        reason="invalidTitle",
        message="The request metadata specifies an invalid video title.",
    )
    [job_id] = schedule(fake_video(tmp_path / "x.mp4", MB), channel)
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.FAILED
    assert "invalidTitle" in job.last_error
    assert "specifies an invalid video title" in job.last_error
    assert job.attempts == 0  # input errors are never retried
    assert world.control.videos(channel_id=channel.youtube_id) == []


def test_bad_input_enqueues_nothing_and_names_every_field(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project()
    channel = world.connected_channel(project, "Careful Channel")
    video = fake_video(tmp_path / "v.mp4", MB)
    with pytest.raises(InputErrors) as refused:
        schedule(
            video,
            channel,
            title="<b>Big</b> " + "x" * 100,
            when_text="yesterday 9am",
            privacy="public",
            mode=PublishMode.UPLOAD_AT,
        )
    assert set(refused.value.errors) >= {"title", "when"}
    assert "100" in refused.value.errors["title"]
    with db.read_session() as s:
        assert s.exec(select(UploadJob)).all() == []


def test_publish_at_uploads_now_as_private_with_a_publish_time(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project()
    channel = world.connected_channel(project, "Premiere Channel")
    [job_id] = schedule(
        fake_video(tmp_path / "p.mp4", MB),
        channel,
        when_text="in 3 days",
        mode=PublishMode.PUBLISH_AT,
    )
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.PUBLISHED, job.state_reason
    [stored] = world.control.videos(channel_id=channel.youtube_id)
    assert stored["privacy"] == "private" and stored["publish_at"]
    assert abs((job.publish_at - clock.now()).total_seconds() - 3 * 86400) < 120  # type: ignore[operator]


def test_unverified_project_warns_that_uploads_are_locked_private(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project(verified=False)
    channel = world.connected_channel(project, "Locked Channel")
    [job_id] = schedule(fake_video(tmp_path / "u.mp4", MB), channel, privacy="public")
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.PUBLISHED
    assert "stored the video as private" in job.warning
    assert world.control.videos(channel_id=channel.youtube_id)[0]["privacy"] == "private"


def test_fan_out_makes_one_job_per_channel_of_the_group(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project()
    for name in ("Food One", "Food Two"):
        world.connected_channel(project, name, group="Food")
    world.connected_channel(project, "Travel One", group="Travel")
    ids = schedule(
        fake_video(tmp_path / "f.mp4", MB),
        title="Recipe on {channel}",
        target=TargetKind.GROUP,
        group="Food",
        fan_out=True,
    )
    jobs = run_jobs_until_done(ids)
    assert len(ids) == 2 and all(j.state == UploadState.PUBLISHED for j in jobs.values())
    titles = sorted(v["title"] for v in world.control.videos())
    assert titles == ["Recipe on Food One", "Recipe on Food Two"]


def test_cancel_and_retry(world: SandboxWorld, tmp_path: Path) -> None:
    project = world.project()
    channel = world.connected_channel(project, "Second Thoughts")
    [job_id] = schedule(fake_video(tmp_path / "c.mp4", MB), channel, when_text="tomorrow 9am")
    with db.read_session() as s:
        assert s.get(UploadJob, job_id).state == UploadState.SCHEDULED  # type: ignore[union-attr]
    uploads.cancel(job_id=job_id, actor=SYSTEM)
    retried = uploads.retry(job_id=job_id, actor=SYSTEM)
    # A retry keeps the job's time (it ran at once before: the security review's finding).
    assert retried.state == UploadState.SCHEDULED
    jump = clock.as_utc(retried.not_before) - clock.now() + timedelta(seconds=5)
    clock.shift(jump)
    world.control.advance_clock(jump.total_seconds())
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.PUBLISHED
    assert len(world.control.videos(channel_id=channel.youtube_id)) == 1


def test_with_the_insert_bucket_at_3_exactly_3_inserts_start(
    world: SandboxWorld, tmp_path: Path
) -> None:
    project = world.project(limits={"videos.insert": 3}, our_limits={"videos.insert": 3})
    channel = world.connected_channel(project, "Busy Channel")
    ids = [
        schedule(fake_video(tmp_path / f"b{n}.mp4", MB // 2, seed=n), channel, title=f"Clip {n}")[0]
        for n in range(5)
    ]
    jobs = run_jobs_until_done(ids, done=(UploadState.PUBLISHED, UploadState.WAITING_QUOTA))
    states = sorted(j.state.value for j in jobs.values())
    assert states == ["published"] * 3 + ["waiting_quota"] * 2
    assert len(world.control.log(method="videos.insert")) == 3
    assert world.control.log(reason="quotaExceeded") == []
    insert = world.control.quota(project.client_id)["buckets"]["videos.insert"]
    assert insert["used"] == 3 and insert["quota_exceeded_answers"] == 0
