"""The audit log: who did what, to what, and when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import utc_column


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_column(index=True)
    # The user's email, or "system" / "cli" for work nobody clicked.
    actor: str = Field(max_length=254, index=True)
    action: str = Field(max_length=64, index=True)
    target: str = Field(default="", max_length=300)
    detail: str = Field(default="", max_length=2000)
    ip: str = Field(default="", max_length=64)


class AuditEventPublic(SQLModel):
    """One line of the audit log as the Settings page shows it (no address)."""

    at: datetime
    actor: str
    action: str
    target: str
    detail: str
