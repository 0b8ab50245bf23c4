"""SQLite persistence for the sandbox: schema, connection and small query helpers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.ids import secret_hash
from sandbox.private_files import private_database_files, private_file

# 2: projects keep client_secret_hash instead of the client secret itself.
# 3: videos.public_since (when a video first went public; the statistics model needs it).
SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    client_secret_hash TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    quota_model TEXT NOT NULL DEFAULT 'current',
    limits TEXT NOT NULL DEFAULT '{}',
    redirect_uris TEXT NOT NULL DEFAULT '[]',
    consent_status TEXT NOT NULL DEFAULT 'production',
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS channels (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    handle TEXT NOT NULL UNIQUE,
    is_brand INTEGER NOT NULL DEFAULT 0,
    custom_thumbnails INTEGER NOT NULL DEFAULT 1,
    daily_upload_cap INTEGER,
    country TEXT,
    subscriber_count INTEGER NOT NULL DEFAULT 0,
    view_count INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_requests (
    id TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL,
    params TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_codes (
    code_hash TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL,
    channel_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    offline INTEGER NOT NULL,
    force_consent INTEGER NOT NULL,
    include_granted INTEGER NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL
);
CREATE TABLE IF NOT EXISTS grants (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    channel_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    via TEXT NOT NULL,
    code_challenge_method TEXT,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id INTEGER NOT NULL,
    scopes TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id INTEGER NOT NULL,
    scopes TEXT NOT NULL,
    expires_at REAL NOT NULL,
    invalidated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens(grant_id);
CREATE TABLE IF NOT EXISTS upload_sessions (
    id TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL,
    channel_id TEXT NOT NULL,
    grant_id INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    parts TEXT NOT NULL,
    content_type TEXT NOT NULL,
    total INTEGER,
    blob TEXT NOT NULL,
    day TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    video_id TEXT
);
CREATE INDEX IF NOT EXISTS upload_sessions_day ON upload_sessions(channel_id, day);
CREATE TABLE IF NOT EXISTS videos (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    upload_id TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    category_id TEXT NOT NULL,
    default_language TEXT,
    requested_privacy TEXT NOT NULL,
    privacy TEXT NOT NULL,
    locked_private INTEGER NOT NULL DEFAULT 0,
    publish_at REAL,
    license TEXT NOT NULL DEFAULT 'youtube',
    embeddable INTEGER NOT NULL DEFAULT 1,
    public_stats_viewable INTEGER NOT NULL DEFAULT 1,
    self_declared_made_for_kids INTEGER,
    contains_synthetic_media INTEGER,
    content_type TEXT NOT NULL,
    byte_count INTEGER NOT NULL,
    blob TEXT NOT NULL,
    md5 TEXT,
    uploaded_at REAL NOT NULL,
    ready_at REAL NOT NULL,
    outcome TEXT,
    outcome_reason TEXT,
    thumbnail_blob TEXT,
    thumbnail_type TEXT,
    thumbnail_bytes INTEGER,
    thumbnail_set_at REAL,
    deleted_at REAL,
    public_since REAL
);
CREATE INDEX IF NOT EXISTS videos_channel ON videos(channel_id);
CREATE TABLE IF NOT EXISTS playlists (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    privacy TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS playlist_items (
    id TEXT PRIMARY KEY,
    playlist_id TEXT NOT NULL,
    video_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS quota_usage (
    project_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    bucket TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0,
    exceeded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, day, bucket)
);
"""

Row = dict[str, Any]


class Store:
    """One SQLite connection, used from the event loop thread only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # 0600 before SQLite opens it: the WAL and SHM it creates copy the database's mode.
        private_file(path)
        # Autocommit mode: every statement commits unless grouped by transaction().
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        # Deleted rows are overwritten with zeros instead of lingering in free pages.
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL keeps WAL durable across process crashes, which is what a restart test needs.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._hash_client_secrets()
        self._add_public_since()
        self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        private_database_files(path)  # WAL/SHM left by an older sandbox may be wider

    def _hash_client_secrets(self) -> None:
        """Schema 1 kept client secrets in the clear: hash them, drop the column, then
        rewrite the file and empty the WAL so the old bytes are gone from disk too."""
        columns = {r["name"] for r in self.all("PRAGMA table_info(projects)")}
        if "client_secret" not in columns:
            return
        with self.transaction():
            self.run("ALTER TABLE projects ADD COLUMN client_secret_hash TEXT NOT NULL DEFAULT ''")
            for row in self.all("SELECT id, client_secret FROM projects"):
                self.run(
                    "UPDATE projects SET client_secret_hash = ? WHERE id = ?",
                    (secret_hash(row["client_secret"]), row["id"]),
                )
            self.run("ALTER TABLE projects DROP COLUMN client_secret")
        self._conn.execute("VACUUM")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _add_public_since(self) -> None:
        """Videos stored before the statistics model existed lack the moment they went public."""
        columns = {r["name"] for r in self.all("PRAGMA table_info(videos)")}
        if "public_since" not in columns:
            self.run("ALTER TABLE videos ADD COLUMN public_since REAL")
            self.run("UPDATE videos SET public_since = uploaded_at WHERE privacy = 'public'")

    def close(self) -> None:
        self._conn.close()

    def one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Row | None:
        row = self._conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Row]:
        return [dict(row) for row in self._conn.execute(sql, params).fetchall()]

    def run(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        columns = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        cursor = self._conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        return int(cursor.lastrowid or 0)

    def update(self, table: str, key: str, key_value: Any, values: dict[str, Any]) -> None:
        if not values:
            return
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        params = {**values, "_key": key_value}
        self._conn.execute(f"UPDATE {table} SET {assignments} WHERE {key} = :_key", params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.run(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def wipe(self) -> None:
        """Delete every row of every table (the control API's reset)."""
        tables = [r["name"] for r in self.all("SELECT name FROM sqlite_master WHERE type='table'")]
        with self.transaction():
            for table in tables:
                self.run(f"DELETE FROM {table}")
