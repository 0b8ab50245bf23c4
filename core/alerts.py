"""Alerts: one function raises them (deduplicated while open); people review them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import audit, clock
from core.errors import InputError, NotFound
from models import Alert, AlertPublic, AlertStatus, Role, Severity

_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def _open_key(kind: str, subject: str) -> str:
    return f"{kind}|{subject}"[:300]


def raise_alert(
    *,
    session: Session,
    kind: str,
    severity: Severity,
    subject: str,
    message: str,
    project_id: int | None = None,
    channel_id: int | None = None,
) -> tuple[Alert, bool]:
    """Raise an alert unless the same (kind, subject) is already open.

    Returns (alert, created). A repeat bumps the open alert's count, time and,
    if higher, its severity. Safe against concurrent processes: the open key is
    unique in the database.
    """
    now = clock.now()
    key = _open_key(kind, subject)
    existing = session.exec(select(Alert).where(Alert.open_key == key)).first()
    if existing is None:
        alert = Alert(
            kind=kind,
            severity=severity,
            subject=subject[:200],
            message=message[:2000],
            project_id=project_id,
            channel_id=channel_id,
            open_key=key,
            first_raised_at=now,
            last_raised_at=now,
        )
        try:
            with session.begin_nested():
                session.add(alert)
            return alert, True
        except IntegrityError:
            existing = session.exec(select(Alert).where(Alert.open_key == key)).one()
    # Increment in SQL: concurrent raisers must not lose each other's counts.
    existing.occurrences = Alert.occurrences + 1
    existing.last_raised_at = now
    existing.message = message[:2000]
    if _SEVERITY_RANK[Severity(severity)] > _SEVERITY_RANK[Severity(existing.severity)]:
        existing.severity = severity
    session.add(existing)
    session.flush()
    session.refresh(existing)
    return existing, False


def resolve_open(*, session: Session, kind: str, subject: str, actor: str = "system") -> bool:
    """Resolve the open alert for (kind, subject), e.g. when the cause went away."""
    alert = session.exec(select(Alert).where(Alert.open_key == _open_key(kind, subject))).first()
    if alert is None:
        return False
    _resolve(session, alert, actor)
    return True


# The alerts a failed upload job raises; they end when the job is published after all.
JOB_FAILURE_KINDS = ("upload.failed", "upload.rejected", "upload.deleted")


def job_subject(job_id: int | None, what: str) -> str:
    """The subject of an alert about one upload job: it starts with the job, so the job's
    later success finds it (resolve_for_job)."""
    return f"upload job {job_id}: {what}"


def resolve_for_job(*, session: Session, job_id: int, actor: str = "system") -> int:
    """Resolve the job's open failure alerts (it was retried and published). Returns how many."""
    found = session.exec(
        select(Alert).where(
            col(Alert.open_key).is_not(None),
            col(Alert.kind).in_(JOB_FAILURE_KINDS),
            col(Alert.subject).startswith(job_subject(job_id, "")),
        )
    ).all()
    for alert in found:
        _resolve(session, alert, actor)
    return len(found)


def resolve_stale_quota(*, session: Session) -> int:
    """Resolve quota alerts of an earlier quota day: the new Pacific day reset the buckets."""
    day_started = clock.pacific_day_start(clock.pacific_day(clock.now()))
    found = session.exec(
        select(Alert).where(
            col(Alert.open_key).is_not(None),
            col(Alert.kind).in_(("quota.threshold", "quota.exhausted")),
            col(Alert.last_raised_at) < day_started,
        )
    ).all()
    for alert in found:
        _resolve(session, alert, "system")
    return len(found)


def _resolve(session: Session, alert: Alert, actor: str) -> None:
    alert.status = AlertStatus.RESOLVED
    alert.open_key = None
    alert.resolved_by = actor
    alert.resolved_at = clock.now()
    session.add(alert)


def _get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist")
    return alert


def acknowledge(*, session: Session, alert_id: int, actor: str) -> Alert:
    alert = _get(session, alert_id)
    if alert.status == AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_by = actor
        alert.acknowledged_at = clock.now()
        session.add(alert)
        audit.record(
            session=session,
            actor=actor,
            action="alert.acknowledge",
            target=f"alert {alert_id}",
            detail=alert.subject,
        )
    return alert


def resolve(*, session: Session, alert_id: int, actor: str) -> Alert:
    alert = _get(session, alert_id)
    if alert.status != AlertStatus.RESOLVED:
        _resolve(session, alert, actor)
        audit.record(
            session=session,
            actor=actor,
            action="alert.resolve",
            target=f"alert {alert_id}",
            detail=alert.subject,
        )
    return alert


def mute(*, session: Session, alert_id: int, hours: float, actor: str) -> Alert:
    if not 0 < hours <= 24 * 30:
        raise InputError("hours", f"must be between 0 and 720, got {hours}")
    alert = _get(session, alert_id)
    alert.muted_until = clock.now() + timedelta(hours=hours)
    alert.muted_by = actor
    session.add(alert)
    audit.record(
        session=session,
        actor=actor,
        action="alert.mute",
        target=f"alert {alert_id}",
        detail=f"{hours:g} h: {alert.subject}",
    )
    return alert


def unmute(*, session: Session, alert_id: int, actor: str) -> Alert:
    """End a mute early: the alert counts as open again."""
    alert = _get(session, alert_id)
    if is_muted(alert):
        alert.muted_until = None
        alert.muted_by = None
        session.add(alert)
        audit.record(
            session=session,
            actor=actor,
            action="alert.unmute",
            target=f"alert {alert_id}",
            detail=alert.subject,
        )
    return alert


def not_muted(query: Any) -> Any:
    """`query` (a select over alerts) without the alerts muted now."""
    return query.where(col(Alert.muted_until).is_(None) | (col(Alert.muted_until) <= clock.now()))


@dataclass(frozen=True)
class AlertFilter:
    severity: str = ""
    kind: str = ""
    status: str = ""  # "", "open" (open or acknowledged), or an AlertStatus value
    project_id: int | None = None
    channel_id: int | None = None
    include_muted: bool = True


def list_alerts(
    *, session: Session, filters: AlertFilter = AlertFilter(), limit: int = 200
) -> list[Alert]:
    query = filtered(select(Alert).order_by(col(Alert.last_raised_at).desc()), filters)
    return list(session.exec(query.limit(limit)).all())


def filtered(query: Any, filters: AlertFilter) -> Any:
    """`query` (a select of alerts) narrowed by `filters`."""
    if filters.severity:
        query = query.where(Alert.severity == Severity(filters.severity))
    if filters.kind:
        query = query.where(Alert.kind == filters.kind)
    if filters.status == "open":
        query = query.where(col(Alert.open_key).is_not(None))
    elif filters.status:
        query = query.where(Alert.status == AlertStatus(filters.status))
    if filters.project_id is not None:
        query = query.where(Alert.project_id == filters.project_id)
    if filters.channel_id is not None:
        query = query.where(Alert.channel_id == filters.channel_id)
    if not filters.include_muted:
        query = not_muted(query)
    return query


def is_muted(alert: Alert) -> bool:
    return alert.muted_until is not None and clock.as_utc(alert.muted_until) > clock.now()


def kinds(*, session: Session) -> list[str]:
    """Every alert kind seen so far (for filters)."""
    return sorted(str(k) for k in session.exec(select(Alert.kind).distinct()).all())


def open_counts(*, session: Session) -> dict[str, int]:
    """Unresolved alerts by severity; muted ones are not counted (someone chose to wait)."""
    rows = session.exec(
        not_muted(
            select(Alert.severity, func.count()).where(col(Alert.open_key).is_not(None))
        ).group_by(Alert.severity)
    ).all()
    return {Severity(sev).value: int(n) for sev, n in rows}


def alert_public(alert: Alert, *, project: str = "", channel: str = "") -> AlertPublic:
    public = AlertPublic.model_validate(alert, from_attributes=True)
    public.project, public.channel, public.muted = project, channel, is_muted(alert)
    return public


def allowed_actions(alert: AlertPublic, *, role: Role | None) -> set[str]:
    """What this person may do to the alert now: operators and admins act on alerts."""
    if role is None or not role.allows(Role.OPERATOR):
        return set()
    status = AlertStatus(alert.status)
    if status == AlertStatus.RESOLVED:
        return set()
    return {"resolve", "unmute" if alert.muted else "mute"} | (
        {"acknowledge"} if status == AlertStatus.OPEN else set()
    )
