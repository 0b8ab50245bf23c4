"""Alembic environment: runs migrations against TubeFleet's tables."""

from __future__ import annotations

import os
import re
from logging.config import fileConfig
from pathlib import Path
from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models.types import UTCDateTime

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    # Migrations import nothing of ours: the same default as core.settings, read here.
    data_dir = os.environ.get("TUBEFLEET_DATA_DIR") or "data"
    return os.environ.get("TUBEFLEET_DATABASE_URL") or f"sqlite:///{data_dir}/tubefleet.db"


def render_item(type_: str, obj: Any, autogen_context: Any) -> Any:
    # Migrations must not import our code: UTCDateTime is a DateTime(timezone=True).
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def number_new_file(_context: Any, _revision: Any, _directives: Any) -> None:
    """`alembic revision` names the new file with the next number (0008_why.py), so `ls`
    lists migrations in order. Revision ids stay alembic's random ones: two branches that
    each add a migration still meet as two heads, which alembic refuses until merged."""
    versions = Path(context.script.dir) / "versions"
    numbers = [int(m[1]) for p in versions.glob("*.py") if (m := re.match(r"(\d{4})_", p.name))]
    context.script.file_template = f"{max(numbers, default=0) + 1:04d}_%(slug)s"


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        process_revision_directives=number_new_file,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    section = config.get_section(config.config_ini_section, {})
    section["sqlalchemy.url"] = _url()
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
