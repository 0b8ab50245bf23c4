"""The Alerts page's rows: each alert with who acknowledged, resolved or muted it, and when."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.views import format
from models import AlertPublic, AlertStatus, Severity

SEVERITY_COLORS = {"critical": "red", "warning": "orange", "info": "blue"}
STATUS_COLORS = {"open": "red", "acknowledged": "amber", "resolved": "green"}


def alert_row(a: AlertPublic, allowed: set[str], zone: ZoneInfo, now: datetime) -> dict[str, str]:
    """`allowed`: what this viewer may do to it (core.alerts.allowed_actions)."""

    def when(value: datetime | None) -> str:
        return format.moment(value, zone, now)

    status = AlertStatus(a.status).value
    severity = Severity(a.severity).value
    return {
        "id": str(a.id),
        "severity": severity,
        "severity_color": SEVERITY_COLORS[severity],
        "kind": a.kind,
        "subject": a.subject,
        "message": a.message,
        "project": a.project,
        "channel": a.channel,
        "status": status,
        "status_color": STATUS_COLORS[status],
        "occurrences": str(a.occurrences),
        "times": "time" if a.occurrences == 1 else "times",
        "first_raised": when(a.first_raised_at),
        "last_raised": when(a.last_raised_at),
        "acknowledged": (
            f"Acknowledged by {a.acknowledged_by} at {when(a.acknowledged_at)}"
            if a.acknowledged_by
            else ""
        ),
        "resolved": (
            f"Resolved by {a.resolved_by} at {when(a.resolved_at)}" if a.resolved_by else ""
        ),
        "muted": "yes" if a.muted else "",
        "muted_text": (f"Muted until {when(a.muted_until)} by {a.muted_by}" if a.muted else ""),
        "can_ack": "yes" if "acknowledge" in allowed else "",
        "can_resolve": "yes" if "resolve" in allowed else "",
        "can_mute": "yes" if "mute" in allowed else "",
        "can_unmute": "yes" if "unmute" in allowed else "",
    }
