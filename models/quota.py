"""Quota: today's count per project and bucket (also the reservation counter), every
call in a ledger, and two small rollups that pages read instead of the ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import utc_column


class QuotaUsage(SQLModel, table=True):
    """One project's bucket on one Pacific day. Reservations increment `used` atomically."""

    __tablename__ = "quota_usage"
    __table_args__ = (UniqueConstraint("project_id", "bucket", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    bucket: str = Field(max_length=40)
    day: date = Field(index=True)
    used: int = 0
    limit_units: int
    # Google answered quotaExceeded: nothing more until the reset, whatever we counted.
    exhausted_at: datetime | None = utc_column(nullable=True)
    # Our count when Google said "exhausted" (a disagreement when below the limit).
    used_when_exhausted: int | None = None
    # Highest threshold (70/80/90) already alerted today.
    alerted_percent: int = 0


class QuotaLedger(SQLModel, table=True):
    """Every Google call TubeFleet made or reserved, with its outcome."""

    __tablename__ = "quota_ledger"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_column(index=True)
    day: date = Field(index=True)
    project_id: int = Field(index=True)
    channel_id: int | None = Field(default=None)
    method: str = Field(max_length=60)
    bucket: str = Field(max_length=40)
    units: int
    priority: str = Field(max_length=16)
    # pending (reserved, in flight), ok, a Google reason, or refunded (never sent).
    outcome: str = Field(default="pending", max_length=60)


class QuotaBucketHour(SQLModel, table=True):
    """Calls and units per project and bucket per UTC hour (the 7-day chart, the rate)."""

    __tablename__ = "quota_bucket_hours"
    __table_args__ = (UniqueConstraint("project_id", "bucket", "hour"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(index=True)
    bucket: str = Field(max_length=40)
    hour: datetime = utc_column(index=True)
    calls: int = 0
    units: int = 0
    failures: int = 0


class QuotaDayDetail(SQLModel, table=True):
    """Calls and units per project, bucket, method and channel per Pacific day (today's
    breakdowns, uploads per channel today)."""

    __tablename__ = "quota_day_details"
    __table_args__ = (UniqueConstraint("project_id", "bucket", "method", "channel_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(index=True)
    bucket: str = Field(max_length=40)
    method: str = Field(max_length=60)
    # 0 for calls not made for a channel (keeps the unique constraint simple).
    channel_id: int = 0
    day: date = Field(index=True)
    calls: int = 0
    units: int = 0
    failures: int = 0
