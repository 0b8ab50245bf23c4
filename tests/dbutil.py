"""Real test databases: an SQLite file, and PostgreSQL when TUBEFLEET_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlmodel import SQLModel

PG_ENV = "TUBEFLEET_TEST_DATABASE_URL"


def postgres_server_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A brand-new database on the test server, dropped afterwards."""
    server = postgres_server_url()
    assert server, f"{PG_ENV} is not set"
    base = make_url(server)
    name = f"tubefleet_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def sqlite_url(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'tubefleet-{uuid.uuid4().hex[:8]}.db'}"


def use_database(url: str) -> None:
    """Point core at `url` (settings, engine) and bring it to the newest migration."""
    from core import db
    from core.settings import reload_settings

    os.environ["TUBEFLEET_DATABASE_URL"] = url
    reload_settings()
    db.dispose()
    db.migrate()


def empty_all_tables() -> None:
    """Delete every row (children first), keeping the schema: fast isolation between tests."""
    import models  # noqa: F401
    from core import db

    with db.engine().begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
