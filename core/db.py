"""The process's database: one engine from settings, sessions, and migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlmodel import Session

from core.settings import get_settings
from models.db import make_engine, open_session

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
                    settings.data_dir.mkdir(parents=True, exist_ok=True)
                _engine = make_engine(url)
    return _engine


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
def read_session() -> Iterator[Session]:
    """A read-only unit of work (pages, listings, health): never waits for writers."""
    with open_session(engine()) as s:
        yield s


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url or get_settings().resolved_database_url)
    cfg.attributes["configure_logger"] = False
    return cfg


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest migration."""
    eng = engine() if url is None else make_engine(url)
    with eng.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    if url is not None:
        eng.dispose()
