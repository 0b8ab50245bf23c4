"""Searching the queue: words in a title or file name are found among the newest jobs (a
scan of every title would grow with the queue), a job number or a YouTube id finds any
job, however old."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import db, uploads
from core.uploads import queries
from models import TargetKind, UploadJob
from tests.integration.world import SYSTEM, fake_video


def _job(tmp_path: Path, title: str) -> int:
    video = fake_video(tmp_path / f"{title}.mp4", 64 * 1024)
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video),
            file_name=video.name,
            title=title,
            target=TargetKind.AUTO,
            when_text="tomorrow 9am",
            tz="UTC",
        ),  # type: ignore[call-arg]
        actor=SYSTEM,
    )
    return job_id


def _found(words: str) -> list[str]:
    with db.read_session() as s:
        page = uploads.job_page(session=s, filters=uploads.JobFilter(), search=words)
    return sorted(j.title for j in page.items)


def test_old_jobs_are_found_by_number_or_video_id_recent_ones_by_words(
    any_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "SEARCH_RECENT", 3)
    old = _job(tmp_path, "Launch archive")
    with db.session() as s:
        job = s.get(UploadJob, old)
        assert job is not None
        job.video_id = "AbCdEfGhIjK"
    for n in range(3):
        _job(tmp_path, f"Launch teaser {n}")

    assert _found("launch") == ["Launch teaser 0", "Launch teaser 1", "Launch teaser 2"]
    assert _found("archive") == []  # beyond the newest three: words do not reach it
    assert _found(f"#{old}") == ["Launch archive"]
    assert "Launch archive" in _found(str(old))  # (a recent title may hold the digit too)
    assert _found("AbCdEfGhIjK") == ["Launch archive"]
    assert _found("teaser 1.mp4") == ["Launch teaser 1"]  # the file's name counts too
