"""The migrations create exactly the tables the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import models  # noqa: F401
from core import db


def _diff() -> list[object]:
    with db.engine().connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, SQLModel.metadata))


def test_models_and_migrations_agree(any_database: str) -> None:
    diff = _diff()
    assert diff == [], f"models and migrations differ (alembic revision --autogenerate): {diff}"


def test_every_table_is_created_by_migrations(any_database: str) -> None:
    tables = set(inspect(db.engine()).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


@pytest.mark.slow
def test_downgrade_to_nothing_and_up_again(database: str) -> None:
    cfg = db.alembic_config(database)
    command.downgrade(cfg, "base")
    assert set(inspect(db.engine()).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert _diff() == []


def test_files_are_numbered_in_the_order_they_run() -> None:
    """`ls models/migrations/versions` shows the order: 0001_..., 0002_..., one chain."""
    scripts = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    oldest_first = list(reversed(list(scripts.walk_revisions())))
    names = [Path(rev.path).name for rev in oldest_first]
    assert [name[:5] for name in names] == [f"{n:04d}_" for n in range(1, len(names) + 1)], (
        f"rename the migrations to follow their down_revision chain: {names}"
    )
