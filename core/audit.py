"""The audit log: one function records who did what."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core import clock
from models import AuditEvent, AuditEventPublic


def record(
    *, session: Session, actor: str, action: str, target: str = "", detail: str = "", ip: str = ""
) -> AuditEvent:
    """Add an audit entry in the caller's transaction (it lands only if the action does)."""
    event = AuditEvent(
        at=clock.now(),
        actor=actor[:254],
        action=action,
        target=target[:300],
        detail=detail[:2000],
        ip=ip[:64],
    )
    session.add(event)
    return event


def recent(*, session: Session, limit: int = 50, actor: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    return list(session.exec(query).all())


def recent_public(*, session: Session, limit: int = 50) -> list[AuditEventPublic]:
    """The latest entries as they may leave the server (no addresses)."""
    return [
        AuditEventPublic.model_validate(e, from_attributes=True)
        for e in recent(session=session, limit=limit)
    ]
