"""Integration fixtures: a real, migrated database (SQLite file; PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.dbutil import (
    empty_all_tables,
    fresh_postgres_database,
    postgres_server_url,
    sqlite_url,
    use_database,
)

_DB_PARAMS = ["sqlite"] + (["postgres"] if postgres_server_url() else [])


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    if not postgres_server_url():
        yield None
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def database(sqlite_database: str) -> Iterator[str]:
    """The SQLite test database, migrated and emptied after each test."""
    use_database(sqlite_database)
    yield sqlite_database
    empty_all_tables()


@pytest.fixture(params=_DB_PARAMS)
def any_database(request: pytest.FixtureRequest, sqlite_database: str,
                 postgres_database: str | None) -> Iterator[str]:
    """Each test runs on SQLite, and again on PostgreSQL when TUBEFLEET_TEST_DATABASE_URL is set."""
    url = sqlite_database if request.param == "sqlite" else postgres_database
    assert url is not None
    use_database(url)
    yield url
    empty_all_tables()


@pytest.fixture
def session(database: str) -> Iterator[Session]:
    from core import db

    with db.session() as s:
        yield s


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path
