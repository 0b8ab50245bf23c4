"""Fleets for benchmarks and tests: SMALL and LARGE, built in a database that the product's
own migrations created, and cached so a second run skips the build.

    from bench.fleet_data import LARGE, SMALL, fleet, use_fleet
    f = fleet(SMALL, "sqlite")            # or fleet(LARGE, "postgres", server_url=...)
    use_fleet(f)                          # core.db and core.clock now point at it

SQLite fleets are files in the cache folder ($TUBEFLEET_BENCH_CACHE, default
~/.cache/tubefleet-bench) named by scale, schema head and data version; PostgreSQL fleets
are databases named `tubefleet_bench_<scale>_<head>_v<version>` on the given server.
A fleet is complete once its marker audit row (action `bench.fleet_built`, detail: the
anchor time every row is relative to) is written, last; `use_fleet` moves core.clock to
that anchor, so a cached fleet looks the same whenever it is used.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fleet_rows import COLUMNS, FleetRows, ts  # noqa: E402

DATA_VERSION = 1
MARKER = "bench.fleet_built"
VIEWER_EMAIL = "bench.viewer@fleet.test"
BATCH = 20_000
# Parents before children (the order foreign keys need).
TABLES = [
    "users",
    "user_sessions",
    "projects",
    "channels",
    "upload_jobs",
    "upload_events",
    "alerts",
    "audit_events",
    "quota_usage",
    "quota_ledger",
    "quota_bucket_hours",
    "quota_day_details",
    "scheduler_heartbeats",
]


@dataclass(frozen=True)
class Scale:
    name: str
    projects: int
    channels: int
    jobs: int
    ledger: int
    alerts: int
    audit: int


SMALL = Scale("small", projects=2, channels=20, jobs=500, ledger=10_000, alerts=50, audit=2_000)
LARGE = Scale(
    "large",
    projects=40,
    channels=2_000,
    jobs=1_000_000,
    ledger=500_000,
    alerts=10_000,
    audit=1_000_000,
)


@dataclass(frozen=True)
class Fleet:
    scale: Scale
    backend: str  # "sqlite" or "postgres"
    url: str
    anchor: datetime  # the fleet's "now"
    viewer_token: str  # session cookie of the signed-in operator the pages are shown to
    built_seconds: float | None  # None: taken from the cache
    location: str  # file path or database name


def viewer_token(scale: Scale) -> str:
    """The bench operator's session token (a bench database only; never a real one)."""
    return f"bench-viewer-{scale.name}-session-token"


def schema_head() -> str:
    from alembic.script import ScriptDirectory

    from core import db

    return "-".join(sorted(ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_heads()))


def cache_dir() -> Path:
    folder = Path(
        os.environ.get("TUBEFLEET_BENCH_CACHE") or Path.home() / ".cache" / "tubefleet-bench"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fleet(
    scale: Scale,
    backend: str = "sqlite",
    *,
    server_url: str | None = None,
    rebuild: bool = False,
    name: str | None = None,
) -> Fleet:
    """The cached fleet of this scale on this database, built first when missing.

    `name` replaces the cache name (file stem or database name), e.g. for a test's own
    throwaway fleet (see drop_fleet).
    """
    name = name or f"tubefleet_bench_{scale.name}_{schema_head()}_v{DATA_VERSION}"
    if backend == "sqlite":
        path = cache_dir() / f"{name}.db"
        url = f"sqlite:///{path}"
        if rebuild or _anchor(url) is None:
            path.unlink(missing_ok=True)
            building = path.with_suffix(".building")
            for leftover in cache_dir().glob(building.name + "*"):
                leftover.unlink()
            seconds = _timed(lambda: _build_sqlite(scale, f"sqlite:///{building}", building))
            building.rename(path)
            return _found(scale, backend, url, str(path), seconds)
        return _found(scale, backend, url, str(path), None)
    assert server_url, "PostgreSQL needs a server URL (TUBEFLEET_TEST_DATABASE_URL)"
    url = _pg_url(server_url, name)
    if rebuild or _anchor(url) is None:
        _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}_building" WITH (FORCE)')
        _pg_admin(server_url, f'CREATE DATABASE "{name}_building"')
        seconds = _timed(lambda: _build_postgres(scale, _pg_url(server_url, f"{name}_building")))
        _pg_admin(server_url, f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
        return _found(scale, backend, url, name, seconds)
    return _found(scale, backend, url, name, None)


def drop_fleet(f: Fleet, server_url: str | None = None) -> None:
    """Delete a fleet's database (its file, or its PostgreSQL database)."""
    if f.backend == "sqlite":
        for leftover in Path(f.location).parent.glob(Path(f.location).name + "*"):
            leftover.unlink()
        return
    assert server_url
    _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{f.location}" WITH (FORCE)')


def use_fleet(f: Fleet, data_dir: Path | None = None) -> None:
    """Point the product's settings, engine and clock at this fleet."""
    from core import clock, db
    from core.settings import reload_settings

    os.environ["TUBEFLEET_ENV_FILE"] = ""
    os.environ["TUBEFLEET_DATABASE_URL"] = f.url
    if data_dir is not None:
        os.environ["TUBEFLEET_DATA_DIR"] = str(data_dir)
    reload_settings()
    db.dispose()
    clock.reset()
    clock.shift(f.anchor - clock.now())


def _timed(build: Any) -> float:
    started = time.monotonic()
    build()
    return time.monotonic() - started


def _found(scale: Scale, backend: str, url: str, location: str, seconds: float | None) -> Fleet:
    anchor = _anchor(url)
    assert anchor is not None, f"no complete fleet at {location}"
    return Fleet(scale, backend, url, anchor, viewer_token(scale), seconds, location)


def _anchor(url: str) -> datetime | None:
    """The anchor of a complete fleet at url, or None (missing, half built, old schema)."""
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            detail = conn.execute(
                text("SELECT detail FROM audit_events WHERE action = :a"), {"a": MARKER}
            ).scalar()
    except Exception:
        return None
    finally:
        engine.dispose()
    return datetime.fromisoformat(detail) if detail else None


def _rows(scale: Scale, anchor: datetime) -> Iterator[tuple[str, Iterable[tuple[Any, ...]]]]:
    """(table, rows) in TABLES order; upload jobs and their events come from one pass."""
    from core import auth

    token_hash = hashlib.sha256(viewer_token(scale).encode()).hexdigest()
    rows = FleetRows(scale, anchor.timestamp(), token_hash, auth.hash_password("bench-password-1"))
    events: list[tuple[Any, ...]] = []

    def jobs() -> Iterator[tuple[Any, ...]]:
        for job, history in rows.iter_jobs():
            events.extend(history)
            yield job

    def numbered_events() -> Iterator[tuple[Any, ...]]:
        for eid, event in enumerate(events, start=1):
            yield (eid, *event)

    for table in TABLES:
        if table == "upload_jobs":
            yield table, jobs()
        elif table == "upload_events":
            yield table, numbered_events()
        else:
            yield table, getattr(rows, f"{table}_rows")()
    marker = (
        scale.audit + 1,
        ts(anchor.timestamp()),
        "system",
        MARKER,
        "fleet",
        anchor.isoformat(),
        "",
    )
    yield "audit_events", [marker]


def _anchor_now() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _migrate(url: str) -> None:
    from core import db

    db.migrate(url)


def _rotation_counters(url: str) -> None:
    """Each channel's rotation counters from the jobs loaded (the product keeps them as
    uploads start and end; a bulk load skips that, as a restore would)."""
    from sqlalchemy import create_engine
    from sqlmodel import Session

    from core.rotation import stats

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            stats.rebuild_all(session=session)
            session.commit()
    finally:
        engine.dispose()


def _build_sqlite(scale: Scale, url: str, path: Path) -> None:
    _migrate(url)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("BEGIN")
    for table, rows in _rows(scale, _anchor_now()):
        cols = COLUMNS[table]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            conn.executemany(sql, batch)
    conn.execute("COMMIT")
    _rotation_counters(url)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")  # what the product's connections use
    conn.close()


def _build_postgres(scale: Scale, url: str) -> None:
    import psycopg

    _migrate(url)
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET synchronous_commit = off")
        for table, rows in _rows(scale, _anchor_now()):
            cols = ", ".join(COLUMNS[table])
            with conn.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        for table in TABLES:
            if "id" in COLUMNS[table]:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
        conn.commit()
    _rotation_counters(url)
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("ANALYZE")


def _libpq(url: str) -> str:
    from sqlalchemy import make_url

    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _pg_url(server_url: str, database: str) -> str:
    from sqlalchemy import make_url

    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _pg_admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(_pg_url(server_url, "postgres")), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build (or find) the cached bench fleets.")
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    chosen = SMALL if args.scale == "small" else LARGE
    found = fleet(
        chosen,
        args.db,
        server_url=os.environ.get("TUBEFLEET_TEST_DATABASE_URL"),
        rebuild=args.rebuild,
    )
    built = "cached" if found.built_seconds is None else f"built in {found.built_seconds:.1f} s"
    print(f"{chosen.name} on {found.backend}: {found.location} ({built}), anchor {found.anchor}")
