"""The sandbox database keeps client secrets hashed, also after opening an older one."""

from __future__ import annotations

import os
import sqlite3
import stat

from sandbox.directory import create_project
from sandbox.ids import secret_hash
from sandbox.store import Store

OLD_SECRET = "GOCSPX-kept-in-the-clear-by-v1"
# The projects table as schema 1 (before issue 9) wrote it.
SCHEMA_1_PROJECTS = """
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    quota_model TEXT NOT NULL DEFAULT 'current',
    limits TEXT NOT NULL DEFAULT '{}',
    redirect_uris TEXT NOT NULL DEFAULT '[]',
    consent_status TEXT NOT NULL DEFAULT 'production',
    created_at REAL NOT NULL
);
"""


def _files(path):
    return [
        p
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
        if p.exists()
    ]


def test_a_new_project_stores_only_the_hash_of_its_secret(tmp_path):
    store = Store(tmp_path / "sandbox.db")
    create_project(
        store,
        {"client_id": "new.apps.googleusercontent.com", "client_secret": "GOCSPX-fresh-one"},
        now=0,
    )
    assert all(b"GOCSPX-fresh-one" not in p.read_bytes() for p in _files(store.path))
    row = store.one("SELECT * FROM projects")
    assert row is not None and "client_secret" not in row
    assert row["client_secret_hash"] == secret_hash("GOCSPX-fresh-one")
    store.close()


def test_the_secret_is_handed_back_once_from_memory(tmp_path):
    store = Store(tmp_path / "sandbox.db")
    row, secret = create_project(store, {}, now=0)
    assert secret.startswith("GOCSPX-") and "client_secret" not in row
    assert row["client_secret_hash"] == secret_hash(secret)
    store.close()


def test_an_old_database_is_rewritten_without_the_secret(tmp_path):
    path = tmp_path / "sandbox.db"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("PRAGMA journal_mode=WAL")
    old.executescript(SCHEMA_1_PROJECTS)
    old.execute(
        "INSERT INTO projects (name, client_id, client_secret, created_at) "
        "VALUES ('Old', 'old.apps.googleusercontent.com', ?, 0)",
        (OLD_SECRET,),
    )
    old.execute("PRAGMA user_version=1")
    old.close()
    os.chmod(path, 0o644)
    assert any(OLD_SECRET.encode() in p.read_bytes() for p in _files(path))

    store = Store(path)
    project = store.one(
        "SELECT * FROM projects WHERE client_id = ?", ("old.apps.googleusercontent.com",)
    )
    assert project is not None and "client_secret" not in project
    assert project["client_secret_hash"] == secret_hash(OLD_SECRET)
    assert all(OLD_SECRET.encode() not in p.read_bytes() for p in _files(path))
    assert {stat.S_IMODE(p.stat().st_mode) for p in _files(path)} == {0o600}
    store.close()
