"""The process's database: one engine from settings, sessions, and migrations."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from core.settings import get_settings
from models.engine import IMMEDIATE, make_engine, open_session

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "models" / "migrations"

_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The shared engine for the configured database (created on first use)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                settings = get_settings()
                url = settings.resolved_database_url
                if url.startswith("sqlite"):
                    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                    _create_private(sqlite_path(url))
                _engine = make_engine(url)
    return _engine


def _create_private(path: Path | None) -> None:
    """Create the SQLite file empty with mode 0600 before SQLite does (it would use 0644
    minus the umask); its WAL and SHM files take the database file's mode."""
    if path is None or path.exists():
        return
    # A missing folder is left for SQLite to report.
    with suppress(FileNotFoundError):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def dispose() -> None:
    """Close every pooled connection and forget the engine (tests, forks, settings changes)."""
    global _engine
    with _engine_lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None


@contextmanager
def session() -> Iterator[Session]:
    """A unit of work that may write: commits on success, rolls back on error.

    On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a transaction that
    reads and then writes would otherwise fail with "database is locked" whenever
    another process committed in between. Use read_session() for pure reads.
    """
    with open_session(engine(), write=True) as s:
        yield s


@contextmanager
def write_connection() -> Iterator[Connection]:
    """One write transaction on a bare connection (BEGIN IMMEDIATE on SQLite), committed on
    success: for single statements on a hot path (an upload's per-chunk progress), where
    an ORM session's set-up and unit of work cost more than the statement itself."""
    with engine().connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.execution_options(**{IMMEDIATE: True})
        with connection.begin():
            yield connection


@contextmanager
def read_session() -> Iterator[Session]:
    """A read-only unit of work (pages, listings, health): never waits for writers."""
    with open_session(engine()) as s:
        yield s


# pg_advisory_xact_lock keys for work that must run one process at a time.
FIRST_RUN_LOCK_KEY = 0x7475_6265_0000_0001


def one_at_a_time(s: Session, key: int) -> None:
    """Make the rest of `s`'s transaction run alone among processes that ask with `key`.

    On PostgreSQL an advisory lock held until the transaction ends; on SQLite a write
    session (`session()`) holds the database's write lock from its start already.
    """
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url or get_settings().resolved_database_url)
    cfg.attributes["configure_logger"] = False
    return cfg


# pg_advisory_xact_lock's key for "migrating" (any constant our other locks do not use).
MIGRATION_LOCK_KEY = 0x7475_6265_666C_6565 & 0x7FFF_FFFF_FFFF_FFFF


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest migration.

    Safe when several processes start at once (replicas on an empty database): the upgrade
    runs in one transaction that first takes the database's migration lock (SQLite's write
    lock through BEGIN IMMEDIATE; a PostgreSQL advisory lock), so the others wait, then
    read the version the first one wrote and have nothing left to do.

    On SQLite, foreign keys are off while migrations run: batch mode rebuilds a table
    (copy, DROP, rename), and with them on the DROP would cascade (a rebuilt upload_jobs
    would take every job's history with it). What the migrations leave is checked with
    `foreign_key_check` before the commit, as SQLite's own table-rebuild recipe does.
    """
    eng = engine() if url is None else make_engine(url)
    try:
        with eng.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            raw = conn.connection.driver_connection
            if sqlite:
                # Outside any transaction (inside one SQLite ignores the pragma).
                raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                locked = conn.execution_options(**{IMMEDIATE: True})
                with locked.begin():
                    if eng.dialect.name == "postgresql":
                        locked.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"),
                            {"key": MIGRATION_LOCK_KEY},
                        )
                    cfg = alembic_config(url)
                    cfg.attributes["connection"] = locked
                    command.upgrade(cfg, "head")
                    if sqlite and (
                        broken := locked.exec_driver_sql("PRAGMA foreign_key_check").all()
                    ):
                        raise RuntimeError(f"migrations left broken foreign keys: {broken[:5]}")
            finally:
                if sqlite:
                    raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    finally:
        if url is not None:
            eng.dispose()


# --- is the schema there? ---------------------------------------------------------------

MIGRATE_HINT = "run `tubefleet migrate` first"


class SchemaNotReady(RuntimeError):
    """The database is missing, empty, or at another migration than this code expects."""


def sqlite_path(url: str | None = None) -> Path | None:
    """The database file for an SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url or get_settings().resolved_database_url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def require_schema() -> None:
    """Raise SchemaNotReady (saying what to do) unless the database is at the newest migration.

    Reads alembic's revision table, so an empty, missing or half-upgraded database is
    named before a command runs into "no such table" or "no such column". Never creates
    anything: a missing SQLite file is reported, not made.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    path = sqlite_path()
    if path is not None and not path.exists():
        raise SchemaNotReady(f"there is no database at {path} yet: {MIGRATE_HINT}")
    scripts = ScriptDirectory.from_config(alembic_config())
    heads = set(scripts.get_heads())
    with engine().connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return
    if not current:
        raise SchemaNotReady(f"the database has no tables yet: {MIGRATE_HINT}")
    known = {rev.revision for rev in scripts.walk_revisions()}
    if current - known:
        raise SchemaNotReady(
            f"the database was migrated by a newer TubeFleet (revision "
            f"{', '.join(sorted(current - known))}); upgrade TubeFleet to use it"
        )
    raise SchemaNotReady(f"the database schema is older than this TubeFleet: {MIGRATE_HINT}")


def is_missing_table(exc: BaseException) -> bool:
    """An error from a database without our tables (SQLite or PostgreSQL wording)."""
    if not isinstance(exc, DBAPIError):
        return False
    text = str(exc.orig).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


# --- scrub: leave no old row content in the files ---------------------------------------


@dataclass(frozen=True)
class ScrubReport:
    """How far scrub_sqlite got: complete means the file holds no replaced row content and
    the WAL is empty."""

    complete: bool
    detail: str


def scrub_sqlite(*, wait_seconds: float = 60.0) -> ScrubReport | None:
    """Rewrite the SQLite database so nothing replaced or deleted is left in it.

    VACUUM rebuilds the file, dropping free space that still holds old row content
    (written before secure_delete was on); a TRUNCATE checkpoint then copies the WAL's
    newest pages into the file and empties the WAL, where every older version of a
    changed page would otherwise stay readable. A checkpoint cannot finish while another
    connection is inside a read transaction that started before it: it is retried for
    `wait_seconds`, and the report says if it still could not finish. Writers in other
    processes wait (their busy timeout) while this runs. None for other databases.
    """
    if sqlite_path() is None:
        return None
    raw = engine().raw_connection()
    try:
        cursor = raw.cursor()
        try:
            try:
                cursor.execute("VACUUM")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                return ScrubReport(False, f"VACUUM could not get the write lock ({exc})")
            deadline = time.monotonic() + wait_seconds
            while True:
                left_ms = max(100, min(5000, int((deadline - time.monotonic()) * 1000)))
                cursor.execute(f"PRAGMA busy_timeout={left_ms}")
                busy, wal_frames, _copied = cursor.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).fetchone()
                if not busy:
                    return ScrubReport(
                        True,
                        "database rewritten; WAL emptied"
                        if wal_frames >= 0
                        else "database rewritten",
                    )
                if time.monotonic() >= deadline:
                    return ScrubReport(
                        False,
                        f"another process kept a read transaction open for "
                        f"{wait_seconds:g} s, so the WAL ({wal_frames} pages, older "
                        "versions of changed rows among them) could not be emptied",
                    )
                time.sleep(0.2)
        finally:
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    finally:
        raw.close()
