"""The quota rollup tables as the read models query them: columns for aggregate queries that
run below the ORM, and plain rows through the session's connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel

from core import clock
from models import Channel, Project
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaUsage

HOURS: Any = SQLModel.metadata.tables[QuotaBucketHour.__tablename__].c
DETAIL: Any = SQLModel.metadata.tables[QuotaDayDetail.__tablename__].c
USAGE: Any = SQLModel.metadata.tables[QuotaUsage.__tablename__].c
PROJECTS: Any = SQLModel.metadata.tables[Project.__tablename__].c
CHANNELS: Any = SQLModel.metadata.tables[Channel.__tablename__].c


def rows(session: Session, statement: Any) -> list[Any]:
    """Plain rows through the connection: aggregates need no ORM objects, and skipping the
    ORM layer matters when a page reads a few hundred rows every few seconds."""
    return list(session.connection().execute(statement).all())


def project_names(session: Session) -> dict[int, str]:
    found = rows(session, table_select(PROJECTS.id, PROJECTS.name))
    return {int(pid): str(name) for pid, name in found}


def hour_floor(at: datetime) -> datetime:
    return clock.as_utc(at).replace(minute=0, second=0, microsecond=0)
