"""Integration fixtures: a real, migrated database (SQLite file; PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from sandbox.control import SandboxControl
from tests.dbutil import (
    empty_all_tables,
    fresh_postgres_database,
    postgres_server_url,
    sqlite_url,
    use_database,
)
from tests.integration.world import SandboxWorld

_DB_PARAMS = ["sqlite"] + (
    [pytest.param("postgres", marks=pytest.mark.postgres)] if postgres_server_url() else []
)


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
def any_database(
    request: pytest.FixtureRequest, sqlite_database: str, postgres_database: str | None
) -> Iterator[str]:
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


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """One real sandbox process (over HTTP) for the whole integration run."""
    from sandbox.testing import running_sandbox

    with running_sandbox(processing_delay=2.0) as url:
        yield url


@pytest.fixture
def control(sandbox_url: str) -> Iterator[SandboxControl]:
    """The sandbox's control API, emptied before each test."""
    from sandbox.control import SandboxControl

    with SandboxControl(sandbox_url) as client:
        client.reset(seed=False)
        client.update_settings(
            access_token_lifetime=3600, processing_delay=2.0, discard_video_bytes=False
        )
        yield client


def _sandbox_world(
    control: SandboxControl, sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxWorld]:
    from core import clock
    from core.settings import reload_settings
    from youtube.oauth import allow_plain_http

    monkeypatch.setenv("TUBEFLEET_SANDBOX_URL", sandbox_url)
    reload_settings()
    allow_plain_http()
    yield SandboxWorld(control, sandbox_url)
    clock.reset()


@pytest.fixture
def world(
    database: str, control: SandboxControl, sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxWorld]:
    """TubeFleet (real DB) talking to the sandbox through the real Google libraries."""
    yield from _sandbox_world(control, sandbox_url, monkeypatch)


@pytest.fixture
def any_world(
    any_database: str, control: SandboxControl, sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxWorld]:
    """The world on SQLite, and again on PostgreSQL when TUBEFLEET_TEST_DATABASE_URL is set."""
    yield from _sandbox_world(control, sandbox_url, monkeypatch)


@pytest.fixture
def upload_world(world: SandboxWorld, monkeypatch: pytest.MonkeyPatch) -> SandboxWorld:
    """The world with 256 KiB chunks (even small test files take several) and quick
    processing, so upload tests run in seconds."""
    from core.settings import reload_settings

    monkeypatch.setenv("TUBEFLEET_UPLOAD_CHUNK_BYTES", str(256 * 1024))
    monkeypatch.setenv("TUBEFLEET_PROCESSING_POLL_SECONDS", "1")
    reload_settings()
    world.control.update_settings(processing_delay=0.5)
    return world
