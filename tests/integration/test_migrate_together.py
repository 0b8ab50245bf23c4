"""Replicas starting together on an empty database all migrate it, and only once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from core import db
from tests.dbutil import fresh_postgres_database, postgres_server_url

ROOT = Path(__file__).resolve().parents[2]
TOGETHER = 4


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgres",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not postgres_server_url(), reason="no PostgreSQL configured"),
            ],
        ),
    ]
)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


def test_migrate_run_by_several_processes_at_once_succeeds_everywhere(
    empty_database: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(tmp_path),
        "TUBEFLEET_DATABASE_URL": empty_database,
    }
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(TOGETHER)
    ]
    results = [(p.wait(timeout=180), p.stdout.read() if p.stdout else "") for p in starts]
    failed = [out for code, out in results if code != 0]
    assert not failed, "\n---\n".join(failed)
    heads = set(ScriptDirectory.from_config(db.alembic_config(empty_database)).get_heads())
    engine = create_engine(empty_database)
    try:
        with engine.connect() as conn:
            assert set(MigrationContext.configure(conn).get_current_heads()) == heads
    finally:
        engine.dispose()
