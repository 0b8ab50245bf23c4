"""Alerts end when their cause does: a muted alert is not counted as open until unmuted, a
rejected video raises one alert that its published retry resolves, and yesterday's quota
alerts end with the new quota day."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from core import alerts, clock, db, uploads
from jobs import housekeeping
from models import Alert, AlertPublic, AlertStatus, AuditEvent, Role, Severity, UploadState
from tests.integration.world import SYSTEM, SandboxWorld, fake_video, run_jobs_until_done


def _raise(kind: str, subject: str, severity: Severity = Severity.WARNING) -> int:
    with db.session() as s:
        alert, _ = alerts.raise_alert(
            session=s, kind=kind, severity=severity, subject=subject, message="m"
        )
        return alert.id or 0


def _public(alert_id: int) -> AlertPublic:
    with db.read_session() as s:
        alert = s.get(Alert, alert_id)
        assert alert is not None
        return alerts.alert_public(alert)


def test_a_muted_alert_is_not_counted_open_until_unmuted(any_database: str) -> None:
    loud = _raise("token.dead", "Cooking Daily needs re-consent", Severity.CRITICAL)
    quiet = _raise("quota.threshold", "Demo: default passed 70%", Severity.CRITICAL)
    with db.session() as s:
        alerts.mute(session=s, alert_id=quiet, hours=4, actor="ops@example.com")
    with db.read_session() as s:
        assert alerts.open_counts(session=s) == {"critical": 1}  # the Overview and Alerts
    assert alerts.allowed_actions(_public(quiet), role=Role.OPERATOR) == {
        "acknowledge",
        "resolve",
        "unmute",
    }
    assert "mute" in alerts.allowed_actions(_public(loud), role=Role.OPERATOR)
    assert alerts.allowed_actions(_public(quiet), role=Role.MARKETER) == set()

    with db.session() as s:
        alerts.unmute(session=s, alert_id=quiet, actor="ops@example.com")
    with db.read_session() as s:
        assert alerts.open_counts(session=s) == {"critical": 2}
        row = s.get(Alert, quiet)
        assert row is not None and row.muted_until is None and row.muted_by is None
        audit = s.exec(select(AuditEvent).where(AuditEvent.action == "alert.unmute")).one()
        assert audit.actor == "ops@example.com" and audit.target == f"alert {quiet}"
    assert "mute" in alerts.allowed_actions(_public(quiet), role=Role.OPERATOR)


def test_quota_alerts_of_an_earlier_quota_day_end_with_the_new_day(any_database: str) -> None:
    old = _raise("quota.threshold", "Demo: default passed 90% (quota day 1)")
    exhausted = _raise("quota.exhausted", "Demo: default exhausted (quota day 1)")
    other = _raise("token.dead", "Gardening needs re-consent")
    clock.shift(timedelta(days=1))
    try:
        today = _raise("quota.threshold", "Demo: default passed 70% (quota day 2)")
        housekeeping.run()
    finally:
        clock.reset()
    with db.read_session() as s:
        status = {a.id: a.status for a in s.exec(select(Alert)).all()}
    assert status[old] == status[exhausted] == AlertStatus.RESOLVED
    assert status[other] == status[today] == AlertStatus.OPEN


def test_a_jump_past_every_threshold_raises_one_alert_that_says_how_far(
    any_database: str,
) -> None:
    from core import projects
    from core.quota import Priority
    from core.quota_ledger import reserve

    with db.session() as s:
        project = projects.add_project(
            session=s,
            name="Jumpy",
            client_id="jumpy",
            client_secret="s3cret",
            quota_policy={
                "preset": "current",
                "limits": {"default": 10},
                "costs": {"big.call": 10},
                "reserve_percent": {"default": 0},
            },
            actor="test",
        )
    reserve(project=project, method="big.call", priority=Priority.FINISH)
    with db.read_session() as s:
        [alert] = s.exec(select(Alert)).all()
    assert " passed 90% of its daily quota" in alert.subject
    assert alert.message.startswith("10 of 10 units (100%) used")


@pytest.mark.usefixtures("upload_world")
def test_a_rejected_video_raises_one_alert_and_its_published_retry_ends_it(
    world: SandboxWorld, tmp_path: Path
) -> None:
    world.control.update_settings(processing_delay=3600)  # stays processing until told
    channel = world.connected_channel(world.project(), "Cooking Daily")
    video = fake_video(tmp_path / "launch.mp4", 600 * 1024)
    request = uploads.UploadRequest(
        video=uploads.store_path(video),
        file_name=video.name,
        title="Launch video",
        privacy="public",
        channel_id=channel.id,
        when_text="now",
        tz="UTC",
    )  # type: ignore[call-arg]
    [job_id] = uploads.enqueue(request, actor=SYSTEM)
    job = run_jobs_until_done([job_id], done=(UploadState.PROCESSING,))[job_id]
    world.control.set_processing(job.video_id or "", "rejected", "duplicate")
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.FAILED, job.state_reason

    with db.read_session() as s:
        [alert] = s.exec(
            select(Alert).where(col(Alert.open_key).is_not(None))
        ).all()  # one alert, not two
    assert alert.kind == "upload.rejected" and alert.severity == Severity.CRITICAL
    assert alert.subject.startswith(f"upload job {job_id}: video {job.video_id} rejected")

    world.control.update_settings(processing_delay=0.5)
    uploads.retry(job_id=job_id, actor=SYSTEM)
    job = run_jobs_until_done([job_id])[job_id]
    assert job.state == UploadState.PUBLISHED, job.state_reason
    with db.read_session() as s:
        ended = s.get(Alert, alert.id)
        assert ended is not None and ended.status == AlertStatus.RESOLVED
        assert ended.resolved_by == "system"
        assert s.exec(select(Alert).where(col(Alert.open_key).is_not(None))).all() == []
