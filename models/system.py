"""Process-level records: scheduler heartbeats and editable runtime settings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import utc_column


class SchedulerHeartbeat(SQLModel, table=True):
    """One row per process running a scheduler (web backend or `tubefleet worker`)."""

    __tablename__ = "scheduler_heartbeats"

    worker_id: str = Field(primary_key=True, max_length=120)
    kind: str = Field(max_length=16)
    hostname: str = Field(max_length=120)
    pid: int
    started_at: datetime = utc_column()
    last_tick_at: datetime = utc_column(index=True)
    ticks: int = 0
