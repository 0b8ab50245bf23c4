"""Who may change an upload job, and when a retried job runs (issue 9, finding 1).

Jobs belong to the person who scheduled them (`created_by_id`); only they or an
operator/admin may cancel, retry or reschedule them; the CLI acts as the system. A retry
keeps the job's schedule; a publish-at job whose publish time passed is not retried into
an immediate publication.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from core import auth, clock, db, uploads
from core.errors import InputError
from models import Channel, PublishMode, Role, TargetKind, UploadEvent, UploadJob, UploadState
from tests.integration.world import SandboxWorld, fake_video, run_jobs_until_done
from tests.integration.world import person as someone

MB = 1024 * 1024
PASSWORD = "correct horse battery"
TUBEFLEET = Path(sys.executable).parent / "tubefleet"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    yield
    clock.reset()


def person(email: str, role: Role = Role.MARKETER) -> auth.CurrentUser:
    """Someone who reads times in Berlin (history lines say CET)."""
    return someone(email, role, timezone="Europe/Berlin")


def schedule(
    video: Path,
    actor: uploads.Actor,
    *,
    channel: Channel | None = None,
    when_text: str = "now",
    mode: PublishMode = PublishMode.UPLOAD_AT,
) -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video),
            file_name=video.name,
            title="Permissions",
            privacy="public",
            target=TargetKind.CHANNEL if channel else TargetKind.AUTO,
            channel_id=channel.id if channel else None,
            when_text=when_text,
            tz="UTC",
            mode=mode,
        ),
        actor=actor,
    )
    return job_id


def job(job_id: int) -> UploadJob:
    with db.read_session() as s:
        found = s.get(UploadJob, job_id)
    assert found is not None
    return found


def test_a_job_records_the_account_that_scheduled_it(database: str, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    mine = schedule(fake_video(tmp_path / "a.mp4", MB), alice, when_text="tomorrow 9am")
    cli = schedule(fake_video(tmp_path / "c.mp4", MB), uploads.CLI, when_text="tomorrow 9am")
    assert (job(mine).created_by, job(mine).created_by_id) == ("alice@example.com", alice.id)
    assert (job(cli).created_by, job(cli).created_by_id) == ("cli", None)
    assert uploads.public(job(mine))["created_by_id"] == alice.id


def test_who_may_change_which_job(database: str, tmp_path: Path) -> None:
    alice, bob = person("alice@example.com"), person("bob@example.com")
    ops, admin = person("ops@example.com", Role.OPERATOR), person("root@example.com", Role.ADMIN)
    hers = schedule(fake_video(tmp_path / "a.mp4", MB), alice, when_text="tomorrow 9am")
    from_cli = schedule(fake_video(tmp_path / "c.mp4", MB), uploads.CLI, when_text="tomorrow 9am")
    # The queue's buttons follow the same rule as the actions.
    assert uploads.allowed_actions(job(hers), actor=alice) == {"cancel", "reschedule", "edit"}
    assert uploads.allowed_actions(job(hers), actor=bob) == set()
    assert uploads.allowed_actions(job(hers), actor=ops) == {"cancel", "reschedule", "edit"}
    assert uploads.allowed_actions(job(from_cli), actor=alice) == set()
    assert uploads.allowed_actions(job(from_cli), actor=admin) == {"cancel", "reschedule", "edit"}
    # Nobody owns a CLI job: a marketer may not touch it, an operator may.
    with pytest.raises(
        uploads.NotAllowed, match="only the person who scheduled it or an operator can cancel it"
    ):
        uploads.cancel(job_id=from_cli, actor=alice)
    uploads.cancel(job_id=from_cli, actor=ops)
    uploads.retry(job_id=from_cli, actor=admin)
    # The refusal comes before anything else is said about the job.
    with pytest.raises(uploads.NotAllowed):
        uploads.retry(job_id=hers, actor=bob)
    uploads.reschedule(job_id=hers, when_text="in 3 days", tz="UTC", actor=alice)
    with db.read_session() as s:
        actors = [
            e.actor
            for e in s.exec(
                select(UploadEvent).where(UploadEvent.job_id == from_cli).order_by(UploadEvent.id)
            ).all()
        ]
    assert actors == ["cli", "ops@example.com", "root@example.com"]


def test_the_actor_must_be_a_person_or_the_system(database: str, tmp_path: Path) -> None:
    hers = schedule(
        fake_video(tmp_path / "a.mp4", MB), person("alice@example.com"), when_text="tomorrow 9am"
    )
    with pytest.raises(TypeError):
        uploads.cancel(job_id=hers, actor=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        uploads.cancel(hers, actor=uploads.CLI)  # type: ignore[misc]
    assert job(hers).state == UploadState.SCHEDULED


def test_a_name_is_not_an_actor(database: str, tmp_path: Path) -> None:
    """A string (once the spelling of a system caller) is refused: an email passed as the
    actor must not get a system caller's rights."""
    hers = schedule(
        fake_video(tmp_path / "a.mp4", MB), person("alice@example.com"), when_text="tomorrow 9am"
    )
    for name in ("cli", "ops@example.com"):
        with pytest.raises(TypeError, match="not str"):
            uploads.cancel(job_id=hers, actor=name)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="not str"):
            uploads.allowed_actions(job(hers), actor=name)  # type: ignore[arg-type]
    assert job(hers).state == UploadState.SCHEDULED


def test_retry_runs_now_a_job_whose_time_passed(upload_world: SandboxWorld, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    channel = upload_world.connected_channel(upload_world.project(), "Retry Channel")
    job_id = schedule(
        fake_video(tmp_path / "r.mp4", MB), alice, channel=channel, when_text="in 1 hour"
    )
    uploads.cancel(job_id=job_id, actor=alice)
    clock.shift(timedelta(hours=2))  # its time passed while it was cancelled
    retried = uploads.retry(job_id=job_id, actor=alice)
    assert retried.state == UploadState.QUEUED
    assert abs((clock.as_utc(retried.not_before) - clock.now()).total_seconds()) < 5
    assert run_jobs_until_done([job_id])[job_id].state == UploadState.PUBLISHED


def test_retry_of_a_job_still_ahead_keeps_its_time_and_says_so(
    database: str, tmp_path: Path
) -> None:
    alice = person("alice@example.com")
    job_id = schedule(fake_video(tmp_path / "k.mp4", MB), alice, when_text="in 5 days")
    planned = job(job_id).not_before
    uploads.cancel(job_id=job_id, actor=alice)
    retried = uploads.retry(job_id=job_id, actor=alice)
    assert retried.state == UploadState.SCHEDULED and retried.not_before == planned
    assert retried.finished_at is None and retried.lease_owner is None
    assert "starts" in retried.state_reason and "CET" in retried.state_reason  # her zone


def test_retry_of_a_publish_at_job_whose_time_passed_is_refused(
    database: str, tmp_path: Path
) -> None:
    alice = person("alice@example.com")
    job_id = schedule(
        fake_video(tmp_path / "p.mp4", MB),
        alice,
        when_text="in 1 hour",
        mode=PublishMode.PUBLISH_AT,
    )
    uploads.cancel(job_id=job_id, actor=alice)
    clock.shift(timedelta(hours=2))
    before = job(job_id)
    with pytest.raises(
        InputError,
        match=r"has passed; retrying now would make it "
        r"public at once\. Reschedule it",
    ):
        uploads.retry(job_id=job_id, actor=alice)
    assert job(job_id).state == UploadState.CANCELLED
    assert job(job_id).updated_at == before.updated_at
    # What the message asks for works: a cancelled job takes a new publish time.
    assert "reschedule" in uploads.allowed_actions(job(job_id), actor=alice)
    moved = uploads.reschedule(job_id=job_id, when_text="in 2 days", tz="UTC", actor=alice)
    assert moved.state == UploadState.QUEUED  # uploads now, as private
    assert moved.publish_at is not None and moved.privacy == "private"
    assert clock.as_utc(moved.publish_at) > clock.now() + timedelta(days=1)
    assert moved.finished_at is None


def test_retry_of_a_publish_at_job_still_ahead_uploads_now_as_private(
    database: str, tmp_path: Path
) -> None:
    alice = person("alice@example.com")
    job_id = schedule(
        fake_video(tmp_path / "q.mp4", MB),
        alice,
        when_text="in 3 days",
        mode=PublishMode.PUBLISH_AT,
    )
    publish_at = job(job_id).publish_at
    uploads.cancel(job_id=job_id, actor=alice)
    retried = uploads.retry(job_id=job_id, actor=alice)
    assert retried.state == UploadState.QUEUED and retried.publish_at == publish_at
    assert retried.privacy == "private"


def test_a_missing_file_is_said_before_a_new_time_is_taken(database: str, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    job_id = schedule(fake_video(tmp_path / "m.mp4", MB), alice, when_text="in 3 days")
    uploads.cancel(job_id=job_id, actor=alice)
    Path(job(job_id).file_path).unlink()
    with pytest.raises(InputError, match="no longer stored"):
        uploads.reschedule(job_id=job_id, when_text="in 4 days", tz="UTC", actor=alice)
    assert job(job_id).state == UploadState.CANCELLED


@pytest.mark.slow
def test_the_cli_acts_as_the_system(database: str, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    job_id = schedule(fake_video(tmp_path / "cli.mp4", MB), alice, when_text="tomorrow 9am")
    env = {**os.environ, "TUBEFLEET_DATABASE_URL": database, "TUBEFLEET_ENV_FILE": ""}

    def tubefleet(*args: str) -> dict:
        done = subprocess.run(
            [str(TUBEFLEET), "job", str(job_id), *args, "--json"],
            env=env,
            text=True,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert tubefleet("reschedule", "--at", "in 3 days", "--tz", "UTC")["state"] == "scheduled"
    assert tubefleet("cancel")["state"] == "cancelled"
    shown = tubefleet("retry")
    assert shown["state"] == "scheduled" and shown["history"][-1]["message"].startswith(
        "retry requested by cli; starts"
    )


def test_the_migration_gives_existing_jobs_their_owner(database: str, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    hers = schedule(fake_video(tmp_path / "o.mp4", MB), alice, when_text="tomorrow 9am")
    from_cli = schedule(fake_video(tmp_path / "s.mp4", MB), uploads.CLI, when_text="tomorrow 9am")
    with db.engine().begin() as conn:
        conn.execute(text("UPDATE upload_jobs SET created_by_id = NULL"))
    cfg = db.alembic_config(database)
    command.downgrade(cfg, "b69401a313bf")  # before upload jobs recorded their owner
    command.upgrade(cfg, "head")
    assert job(hers).created_by_id == alice.id
    assert job(from_cli).created_by_id is None
