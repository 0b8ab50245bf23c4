"""The Settings page's rows: people, Google Cloud projects and the audit log."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.views import format
from core import projects
from models import AuditEventPublic, ProjectPublic, Role, UserPublic


def user_row(u: UserPublic, zone: ZoneInfo) -> dict[str, str]:
    return {
        "id": str(u.id),
        "email": u.email,
        "role": Role(u.role).value,
        "status": "disabled" if u.disabled else "active",
        "last_login": format.date_time(u.last_login_at, zone, empty="never"),
    }


def project_row(p: ProjectPublic) -> dict[str, str]:
    return {
        "id": str(p.id),
        "name": p.name,
        "client_id": p.client_id,
        "kind": "sandbox" if p.is_sandbox else "google",
        "verified": "verified" if p.verified else "unverified: uploads locked private",
        "testing": "consent screen in testing: tokens die after 7 days"
        if p.consent_testing
        else "",
        "preset": projects.policy_summary(p),
    }


def audit_row(e: AuditEventPublic, zone: ZoneInfo) -> dict[str, str]:
    return {
        "at": format.date_time(e.at, zone, empty="never"),
        "actor": e.actor,
        "action": e.action,
        "target": e.target,
        "detail": e.detail,
    }
