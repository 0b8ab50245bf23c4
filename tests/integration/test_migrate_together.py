"""Replicas starting together on an empty database: migrations and the first admin, once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import select

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


def test_first_admin_is_created_once_when_replicas_start_together(any_database: str) -> None:
    """Every starting replica calls ensure_first_admin; one makes the admin, none fails."""
    from core import auth
    from models import User

    start = threading.Barrier(TOGETHER)
    results: list[object] = []

    def replica() -> None:
        start.wait()
        try:
            with db.session() as s:
                results.append(auth.ensure_first_admin(session=s))
        except Exception as exc:  # what the second replica hit: IntegrityError ix_users_email
            results.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(TOGETHER)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    created = [r for r in results if r is not None]
    assert len(created) == 1
    with db.read_session() as s:
        assert len(s.exec(select(User)).all()) == 1
