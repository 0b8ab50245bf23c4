"""Engine and session factory: SQLite (WAL, foreign keys) or any SQLAlchemy URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

# Execution option asking SQLite for BEGIN IMMEDIATE: read-modify-write transactions
# (claims, quota reservations) take the write lock up front instead of failing with
# "database is locked" when another process committed after they started reading.
IMMEDIATE = "tubefleet_immediate"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine configured for concurrent use by threads and processes."""
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if ":memory:" in url or url.rstrip("/") == "sqlite:":
            kwargs["poolclass"] = NullPool
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs["pool_pre_ping"] = True
    kwargs["pool_size"] = 10
    kwargs["max_overflow"] = 20
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN so we can choose IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Overwrite deleted and replaced row content with zeros instead of leaving it in the
        # file's free space: an updated secret (a refreshed token, a re-encryption during
        # key rotation) must not stay readable in the database file or its WAL.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def open_session(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    `write=True` marks a read-modify-write transaction (BEGIN IMMEDIATE on SQLite).
    """
    with Session(engine, expire_on_commit=False) as session:
        if write and engine.dialect.name == "sqlite":
            session.connection(execution_options={IMMEDIATE: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
