"""The migrations create exactly the tables the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

import models  # noqa: F401
from core import db, uploads
from models import UploadEvent, UploadJob
from tests.integration.world import fake_video

WITH_64_BIT = "b16b17e0a008"
BEFORE_64_BIT = "c0ec7a11b2d3"  # the migration before byte counts became 64-bit


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


def _schedule(video: Path) -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video), file_name=video.name, title="Kept", when_text="now"
        ),
        actor=uploads.CLI,
    )
    return job_id


def test_upgrading_keeps_every_jobs_history(any_database: str, tmp_path: Path) -> None:
    """`tubefleet migrate` (db.migrate) rebuilds upload_jobs on SQLite; its history stays."""
    job_id = _schedule(fake_video(tmp_path / "v.mp4", 100_000))
    command.downgrade(db.alembic_config(any_database), BEFORE_64_BIT)
    db.migrate()
    with db.read_session() as s:
        events = s.exec(select(UploadEvent).where(UploadEvent.job_id == job_id)).all()
    with db.engine().connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar() if sqlite else 1
    assert [e.to_state for e in events] == ["queued"]
    assert foreign_keys == 1  # back on for everything after the migrations
    assert _diff() == []


def test_downgrade_refuses_byte_counts_a_32_bit_column_cannot_hold(
    any_database: str, tmp_path: Path
) -> None:
    job_id = _schedule(fake_video(tmp_path / "v.mp4", 100_000))
    with db.engine().begin() as conn:
        conn.execute(text("UPDATE upload_jobs SET file_size = :n"), {"n": 5 * 1024**3})
    cfg = db.alembic_config(any_database)
    # Later migrations step down first (SQLite does not roll their DDL back with the
    # refused step), so go to 0008 itself before asking it to step down.
    command.downgrade(cfg, WITH_64_BIT)
    with pytest.raises(RuntimeError, match="over 2 GiB"):
        command.downgrade(cfg, BEFORE_64_BIT)
    with db.read_session() as s:
        job = s.get(UploadJob, job_id)
        assert job is not None and job.file_size == 5 * 1024**3
    command.upgrade(cfg, "head")
    assert _diff() == []
