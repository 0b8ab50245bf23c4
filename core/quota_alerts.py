"""Quota alerts: a bucket crossing 70, 80 and 90 % of its day, and a bucket Google
reports exhausted."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from core import alerts, clock
from core.quota import THRESHOLDS
from models import Project, Severity
from models.quota import QuotaUsage


def thresholds_crossed(session: Session, project: Project, usage: QuotaUsage) -> None:
    """Raise the alert of the highest threshold today's usage crossed, once per threshold."""
    if usage.limit_units <= 0:
        return
    percent = 100 * usage.used / usage.limit_units
    for threshold, severity in THRESHOLDS:
        if percent >= threshold and usage.alerted_percent < threshold:
            usage.alerted_percent = threshold
            session.add(usage)
            resets = clock.pacific_day_start(usage.day + timedelta(days=1))
            alerts.raise_alert(
                session=session,
                kind="quota.threshold",
                severity=severity,
                # The threshold passed, not the level now (that is in the message): a
                # bucket that jumps from 60 to 100 % passes 90 % once.
                subject=f"{project.name}: {usage.bucket} passed {threshold}% of its daily "
                f"quota (quota day {usage.day.isoformat()}, Pacific time)",
                message=(
                    f"{usage.used} of {usage.limit_units} units ({percent:.0f}%) used in the "
                    f"{usage.bucket} bucket"
                    + ("; background reads have stopped" if threshold >= 90 else "")
                    + f". Resets at midnight Pacific ({resets.isoformat()})."
                ),
                project_id=project.id,
            )
            return


def exhausted(session: Session, project: Project, usage: QuotaUsage, bucket: str) -> None:
    """Google answered quotaExceeded (`usage.exhausted_at` is set): say so, and whether our
    count agreed."""
    assert usage.exhausted_at is not None
    disagreement = usage.used < usage.limit_units
    message = (
        f"Google answered quotaExceeded for {bucket} with our count at "
        f"{usage.used} of {usage.limit_units}"
        + (
            " (our count disagrees: another tool may share this project, or the "
            "limit is lower than configured)"
            if disagreement
            else ""
        )
        + f". No more calls to this bucket until "
        f"{clock.next_pacific_midnight(usage.exhausted_at).isoformat()}."
    )
    alerts.raise_alert(
        session=session,
        kind="quota.exhausted",
        severity=Severity.CRITICAL,
        subject=f"{project.name}: {bucket} exhausted (quota day {usage.day.isoformat()}, "
        "Pacific time)",
        message=message,
        project_id=project.id,
    )
