"""Field helpers shared by the tables (UTC timestamps, leases)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Table
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime

# Named constraints, so Alembic's batch mode can alter SQLite tables and every
# database gets the same names.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model (for Core statements such as upserts)."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by table=True
    return table


def utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware UTC timestamp column (the value always comes from core.clock)."""
    return Field(
        default=None if nullable else ..., sa_type=UTCDateTime, nullable=nullable, index=index
    )


class LeaseFields(SQLModel):
    """Columns that let one process at a time own a row's work, until the lease expires."""

    lease_owner: str | None = Field(default=None, max_length=120)
    lease_expires_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, nullable=True, index=True
    )


def enum_column(enum_type: type[StrEnum], *, default: Any = ..., index: bool = False) -> Any:
    """A StrEnum stored as its value in a VARCHAR (no native enum types to migrate)."""
    sa_enum = SAEnum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum_type) + 8,
        values_callable=lambda members: [m.value for m in members],
    )
    return Field(default=default, sa_type=sa_enum, index=index)
