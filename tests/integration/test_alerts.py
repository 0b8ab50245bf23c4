"""Alerts are raised once while open, even by many threads at once, and reviewed by people."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from core import alerts, db
from core.errors import InputError
from models import Alert, AlertStatus, AuditEvent, Severity


def raise_quota(severity: Severity = Severity.WARNING) -> tuple[Alert, bool]:
    with db.session() as s:
        return alerts.raise_alert(
            session=s,
            kind="quota.threshold",
            severity=severity,
            subject="project Demo: default bucket at 80%",
            message="8,000 of 10,000 units used",
            project_id=1,
        )


def test_same_alert_is_not_raised_again_while_open(any_database: str) -> None:
    first, created = raise_quota()
    again, created_again = raise_quota(Severity.CRITICAL)
    assert created and not created_again
    assert again.id == first.id
    with db.session() as s:
        rows = s.exec(select(Alert)).all()
    assert len(rows) == 1
    assert rows[0].occurrences == 2
    assert rows[0].severity == Severity.CRITICAL  # escalated, never downgraded


def test_after_resolve_the_alert_can_be_raised_again(any_database: str) -> None:
    first, _ = raise_quota()
    with db.session() as s:
        alerts.resolve(session=s, alert_id=first.id or 0, actor="ops@example.com")
    second, created = raise_quota()
    assert created and second.id != first.id


def test_concurrent_raises_make_one_open_alert(any_database: str) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                raise_quota()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.session() as s:
        rows = s.exec(select(Alert)).all()
    assert len(rows) == 1 and rows[0].occurrences == 40


def test_acknowledge_mute_resolve_record_who_and_when(any_database: str) -> None:
    alert, _ = raise_quota()
    assert alert.id is not None
    with db.session() as s:
        alerts.acknowledge(session=s, alert_id=alert.id, actor="ops@example.com")
        alerts.mute(session=s, alert_id=alert.id, hours=4, actor="ops@example.com")
    with db.session() as s:
        row = s.get(Alert, alert.id)
        assert row is not None
        assert row.status == AlertStatus.ACKNOWLEDGED and row.acknowledged_by == "ops@example.com"
        assert alerts.is_muted(row)
        assert alerts.list_alerts(session=s, filters=alerts.AlertFilter(include_muted=False)) == []
        alerts.resolve(session=s, alert_id=alert.id, actor="lead@example.com")
    with db.session() as s:
        row = s.get(Alert, alert.id)
        assert row is not None and row.status == AlertStatus.RESOLVED
        assert row.resolved_by == "lead@example.com" and row.resolved_at is not None
        actions = [e.action for e in s.exec(select(AuditEvent)).all()]
    assert actions == ["alert.acknowledge", "alert.mute", "alert.resolve"]


def test_mute_refuses_nonsense_durations(any_database: str) -> None:
    alert, _ = raise_quota()
    with db.session() as s, pytest.raises(InputError, match="between 0 and 720"):
        alerts.mute(session=s, alert_id=alert.id or 0, hours=0, actor="x@example.com")


def test_filters(any_database: str) -> None:
    raise_quota()
    with db.session() as s:
        alerts.raise_alert(
            session=s,
            kind="token.dead",
            severity=Severity.CRITICAL,
            subject="channel Cooking needs re-consent",
            message="invalid_grant",
            channel_id=7,
        )
    with db.session() as s:

        def kinds(**kw: object) -> list[str]:
            return [a.kind for a in alerts.list_alerts(session=s, filters=alerts.AlertFilter(**kw))]  # type: ignore[arg-type]

        assert kinds(severity="critical") == ["token.dead"]
        assert kinds(channel_id=7) == ["token.dead"]
        assert kinds(project_id=1) == ["quota.threshold"]
        assert sorted(kinds(status="open")) == ["quota.threshold", "token.dead"]
