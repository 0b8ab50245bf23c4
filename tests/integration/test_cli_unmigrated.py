"""Issue 9, finding 4: before `tubefleet migrate`, every command that needs the database
says so in one line and exits non-zero, instead of dying with a traceback ("no such
table"); it creates nothing on the way. Real subprocesses on a fresh data folder (and on
a fresh PostgreSQL database when TUBEFLEET_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dbutil import fresh_postgres_database, postgres_server_url

ROOT = Path(__file__).resolve().parents[2]

# Every command that works on the database (stdin, where one is read, is given).
COMMANDS: list[tuple[list[str], str]] = [
    (["users"], ""),
    (["user", "add", "a@example.com", "--role", "admin"], "correct horse battery\n"),
    (["user", "reset-password", "a@example.com", "--generate"], ""),
    (["projects", "--json"], ""),
    (["project", "add", "Brand A", "--client-id", "a.apps.test", "--google"], "secret\n"),
    (["project", "add", "Brand B"], ""),
    (["project", "set", "Brand A", "--limit", "videos.insert=200"], ""),
    (["channels"], ""),
    (["channel", "import", "--project", "Brand A"], "1//refresh\n"),
    (["channel", "state", "1", "paused"], ""),
    (["tokens", "refresh"], ""),
    (["keys", "rotate"], ""),
    (["keys", "scrub"], ""),
    (["jobs"], ""),
    (["job", "1"], ""),
    (["quota"], ""),
    (["alerts"], ""),
    (["demo", "seed"], ""),
]
# A few of them, for the cases after the first (the check is one, in the entry).
SOME = [COMMANDS[0], COMMANDS[4], COMMANDS[11], COMMANDS[-1]]


def _env(data_dir: Path, url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(data_dir),
        "TUBEFLEET_MODE": "sandbox",
        # Nothing answers here: a command that got as far as the sandbox would say so.
        "TUBEFLEET_SANDBOX_URL": "http://127.0.0.1:9",
    }
    env.pop("TUBEFLEET_DATABASE_URL", None)
    env.pop("TUBEFLEET_SECRET_KEY", None)
    if url:
        env["TUBEFLEET_DATABASE_URL"] = url
    return env


def tubefleet(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _assert_says_migrate(
    done: subprocess.CompletedProcess[str], args: list[str], reason: str
) -> None:
    where = " ".join(args)
    assert done.returncode == 2, f"{where}: {done.returncode} {done.stderr}"
    assert "Traceback" not in done.stderr, f"{where}:\n{done.stderr}"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, f"{where}:\n{done.stderr}"
    assert lines[0].startswith("tubefleet: error: ") and reason in lines[0], lines[0]
    assert "run `tubefleet migrate` first" in lines[0], lines[0]
    assert done.stdout == "", f"{where}: {done.stdout}"


@pytest.mark.parametrize(("args", "stdin"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_before_migrate_on_a_new_data_folder(tmp_path: Path, args: list[str], stdin: str) -> None:
    data = tmp_path / "data"
    done = tubefleet(_env(data), *args, stdin=stdin)
    _assert_says_migrate(done, args, f"there is no database at {data / 'tubefleet.db'} yet")
    assert not (data / "tubefleet.db").exists(), "the check created the database"
    assert not (data / "secret.keys").exists()


@pytest.mark.slow
def test_an_empty_database_file_and_then_migrate(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    sqlite3.connect(data / "tubefleet.db").close()  # e.g. touched by another tool
    env = _env(data)
    for args, stdin in SOME:
        _assert_says_migrate(
            tubefleet(env, *args, stdin=stdin), args, "the database has no tables yet"
        )
    done = tubefleet(env, "migrate")
    assert done.returncode == 0, done.stderr
    done = tubefleet(env, "users", "--json")
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


def _set_revision(database: Path, revision: str) -> None:
    with sqlite3.connect(database) as con:
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.close()


def test_a_database_at_another_migration(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from core import db

    data = tmp_path / "data"
    env = _env(data)
    assert tubefleet(env, "migrate").returncode == 0
    first = list(ScriptDirectory.from_config(db.alembic_config()).walk_revisions())[-1]
    _set_revision(data / "tubefleet.db", first.revision)  # as an older version left it
    _assert_says_migrate(
        tubefleet(env, "projects"), ["projects"], "the database schema is older than this TubeFleet"
    )

    _set_revision(data / "tubefleet.db", "ffffffffffff")  # from a newer version
    done = tubefleet(env, "projects")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip() == (
        "tubefleet: error: the database was migrated by a newer "
        "TubeFleet (revision ffffffffffff); upgrade TubeFleet to "
        "use it"
    )


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    if not postgres_server_url():
        pytest.skip("TUBEFLEET_TEST_DATABASE_URL is not set")
    with fresh_postgres_database() as url:
        yield url


@pytest.mark.postgres
@pytest.mark.slow
def test_before_migrate_on_postgresql(tmp_path: Path, empty_postgres: str) -> None:
    env = _env(tmp_path / "data", empty_postgres)
    for args, stdin in SOME:
        _assert_says_migrate(
            tubefleet(env, *args, stdin=stdin), args, "the database has no tables yet"
        )
    assert tubefleet(env, "migrate").returncode == 0
    done = tubefleet(env, "projects", "--json")
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr
