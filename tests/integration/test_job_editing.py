"""A job's details can be changed until its video is on YouTube: a job YouTube refused for
its title is fixed and retried to published; bad values are refused field by field with
nothing changed; only its owner or an operator may edit; the history says who changed what."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from core import db, uploads
from core.errors import InputError, InputErrors
from models import AuditEvent, Role, TargetKind, UploadEvent, UploadJob, UploadState
from tests.integration.world import SandboxWorld, fake_video, person, run_jobs_until_done

MB = 1024 * 1024

pytestmark = pytest.mark.usefixtures("upload_world")


def _job(job_id: int) -> UploadJob:
    with db.read_session() as s:
        found = s.get(UploadJob, job_id)
    assert found is not None
    return found


def _schedule(video: Path, actor: uploads.Actor, channel_id: int, when_text: str = "now") -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video),
            file_name=video.name,
            title="Launch draft",
            tags=["launch"],
            target=TargetKind.CHANNEL,
            channel_id=channel_id,
            when_text=when_text,
            tz="UTC",
        ),  # type: ignore[call-arg]
        actor=actor,
    )
    return job_id


def test_a_job_refused_for_its_title_is_edited_and_retried_to_published(
    world: SandboxWorld, tmp_path: Path
) -> None:
    channel = world.connected_channel(world.project(), "Strict Channel")
    alice = person("alice@example.com")
    world.control.add_fault(
        "status", method="videos.insert", status=400, reason="invalidTitle", message="bad title"
    )
    job_id = _schedule(fake_video(tmp_path / "x.mp4", MB), alice, channel.id or 0)
    failed = run_jobs_until_done([job_id])[job_id]
    assert failed.state == UploadState.FAILED and "invalidTitle" in failed.last_error
    assert "edit" in uploads.allowed_actions(failed, actor=alice)

    uploads.edit(
        job_id=job_id,
        changes=uploads.JobEdit(title="Launch day", privacy="unlisted", tags=["launch", "day"]),
        actor=alice,
    )
    uploads.retry(job_id=job_id, actor=alice)
    done = run_jobs_until_done([job_id])[job_id]
    assert done.state == UploadState.PUBLISHED, done.state_reason
    [video] = world.control.videos(channel_id=channel.youtube_id)
    assert video["title"] == "Launch day" and video["requested_privacy"] == "unlisted"
    assert video["tags"] == ["launch", "day"]
    with db.read_session() as s:
        lines = [
            (e.actor, e.message)
            for e in s.exec(select(UploadEvent).where(UploadEvent.job_id == job_id)).all()
        ]
        audit = s.exec(select(AuditEvent).where(AuditEvent.action == "upload.edit")).one()
    assert (
        "alice@example.com",
        "edited by alice@example.com: title “Launch draft” → “Launch day”; "
        "tags “launch” → “launch, day”; privacy “private” → “unlisted”",
    ) in lines
    assert audit.actor == "alice@example.com" and audit.target == f"job {job_id}"
    assert "edit" not in uploads.allowed_actions(done, actor=alice)  # it is on YouTube now
    with pytest.raises(InputError, match="on YouTube as"):
        uploads.edit(job_id=job_id, changes=uploads.JobEdit(title="Too late"), actor=alice)


def test_bad_values_are_refused_by_field_and_change_nothing(
    world: SandboxWorld, tmp_path: Path
) -> None:
    channel = world.connected_channel(world.project(), "Careful Channel")
    alice = person("alice@example.com")
    job_id = _schedule(fake_video(tmp_path / "y.mp4", MB), alice, channel.id or 0, "tomorrow 9am")
    with pytest.raises(InputErrors) as refused:
        uploads.edit(
            job_id=job_id,
            changes=uploads.JobEdit(title="a <b> tag", privacy="secret", description="fine"),
            actor=alice,
        )
    assert set(refused.value.errors) == {"title", "privacy"}
    after = _job(job_id)
    assert (after.title, after.privacy, after.description) == ("Launch draft", "private", "")


def test_only_the_owner_or_an_operator_edits(world: SandboxWorld, tmp_path: Path) -> None:
    channel = world.connected_channel(world.project(), "Shared Channel")
    alice, bob = person("alice@example.com"), person("bob@example.com")
    ops = person("ops@example.com", Role.OPERATOR)
    job_id = _schedule(fake_video(tmp_path / "z.mp4", MB), alice, channel.id or 0, "tomorrow 9am")
    with pytest.raises(uploads.NotAllowed):
        uploads.edit(job_id=job_id, changes=uploads.JobEdit(title="Bob's now"), actor=bob)
    uploads.edit(job_id=job_id, changes=uploads.JobEdit(playlist_title="Launches"), actor=ops)
    assert _job(job_id).playlist_title == "Launches" and _job(job_id).title == "Launch draft"
