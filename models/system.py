"""Process-level records: scheduler heartbeats and the leased runs of fleet-wide periodic
jobs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import LeaseFields, utc_column


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


class PeriodicRun(LeaseFields, table=True):
    """A periodic job that runs once per interval across every process (core.periodic):
    the process holding the lease runs it; the others see it was done and skip."""

    __tablename__ = "periodic_runs"

    name: str = Field(primary_key=True, max_length=60)
    started_at: datetime | None = utc_column(nullable=True)  # the latest run's start
    finished_at: datetime | None = utc_column(nullable=True)  # the latest successful run's end
    runs: int = 0
