"""Alerts raised by core (quota, tokens, uploads) and reviewed by the operations team."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import enum_column, utc_column


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Alert(SQLModel, table=True):
    __tablename__ = "alerts"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64, index=True)
    severity: Severity = enum_column(Severity, index=True)
    subject: str = Field(max_length=200)
    message: str = Field(max_length=2000)
    project_id: int | None = Field(default=None, index=True)
    channel_id: int | None = Field(default=None, index=True)
    status: AlertStatus = enum_column(AlertStatus, default=AlertStatus.OPEN, index=True)
    # kind|subject while the alert is not resolved, NULL afterwards. The unique index
    # makes "not raised again while the same one is open" hold across processes.
    open_key: str | None = Field(default=None, max_length=300, unique=True)
    occurrences: int = 1
    first_raised_at: datetime = utc_column(index=True)
    last_raised_at: datetime = utc_column()
    acknowledged_by: str | None = Field(default=None, max_length=254)
    acknowledged_at: datetime | None = utc_column(nullable=True)
    resolved_by: str | None = Field(default=None, max_length=254)
    resolved_at: datetime | None = utc_column(nullable=True)
    muted_until: datetime | None = utc_column(nullable=True)
    muted_by: str | None = Field(default=None, max_length=254)


class AlertPublic(SQLModel):
    """What leaves the server about an alert, with its project's and channel's names."""

    id: int
    kind: str
    severity: Severity
    subject: str
    message: str
    project_id: int | None
    project: str = ""
    channel_id: int | None
    channel: str = ""
    status: AlertStatus
    occurrences: int
    first_raised_at: datetime
    last_raised_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    muted_until: datetime | None
    muted_by: str | None
    # Muted now (muted_until is still ahead).
    muted: bool = False
