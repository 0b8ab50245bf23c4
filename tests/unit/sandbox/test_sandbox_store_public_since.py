"""A sandbox database from before the audience model gets videos.public_since on start."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sandbox.store import Store


def _video(video_id: str, privacy: str) -> dict[str, object]:
    return {
        "id": video_id,
        "channel_id": "UCx",
        "project_id": 1,
        "title": video_id,
        "category_id": "22",
        "requested_privacy": privacy,
        "privacy": privacy,
        "content_type": "video/mp4",
        "byte_count": 1,
        "blob": "/nowhere",
        "uploaded_at": 1_800_000_000.0,
        "ready_at": 1_800_000_002.0,
    }


def test_old_videos_get_public_since_from_their_upload(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    store = Store(path)
    store.insert("videos", _video("public1", "public"))
    store.insert("videos", _video("private1", "private"))
    store.close()
    with sqlite3.connect(path) as old:  # what a schema-2 database looks like
        old.execute("ALTER TABLE videos DROP COLUMN public_since")

    reopened = Store(path)
    rows = {r["id"]: r["public_since"] for r in reopened.all("SELECT * FROM videos")}
    reopened.close()
    assert rows == {"public1": 1_800_000_000.0, "private1": None}
