"""Videos of 2 GiB and more (issue 11): byte counts are 64-bit end to end.

The 32-bit columns made any video of 2 GiB or more fail to enqueue on PostgreSQL
(NumericValueOutOfRange). Here a video just over 2 GiB is scheduled by a person, counted
against their media quota, uploaded by the real runner to the sandbox over HTTP, and
published, on SQLite and on PostgreSQL. The file is sparse (an MP4 header, then a hole)
and the sandbox discards the bytes while hashing them, so a run writes no GiBs to disk.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest

from app.views.uploads import progress_row
from core import db, uploads
from core.errors import InputError
from core.settings import reload_settings
from core.uploads import media, queries
from models import TargetKind, UploadJobPublic, UploadState
from tests.integration.world import SandboxWorld, person, run_jobs_until_done

GIB = 1024**3
# Past 2**31 by a few MiB and not a multiple of 256 KiB, so the last chunk is short.
SIZE = 2 * GIB + 5 * 1024**2 + 12_345
MP4_HEADER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def sparse_video(path: Path, size: int) -> Path:
    """An MP4 header, then a hole up to `size` bytes: no disk blocks beyond the first."""
    with path.open("wb") as out:
        out.write(MP4_HEADER)
        out.truncate(size)
    return path


# `md5sum` of sparse_video(..., SIZE), computed once (hashing 2 GiB takes seconds to half a
# minute on a busy machine): the content is fixed, so a changed SIZE or header fails here.
EXPECTED_MD5 = "fe3c5d44fe31a01696678b53654c2eb3"


@pytest.fixture(autouse=True)
def own_media_folder(
    any_world: SandboxWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A media folder of its own (the quota counts every file of a person in it)."""
    monkeypatch.setenv("TUBEFLEET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TUBEFLEET_PROCESSING_POLL_SECONDS", "1")
    reload_settings()  # and 8 MiB chunks, as configured by default


def waiting_media(owner_id: int, size: int, md5: str) -> uploads.StoredFile:
    """A video as the Uploads form leaves it in the media folder: named for its owner."""
    path = media.media_dir() / media.owned_name(uuid.uuid4().hex, owner_id, ".mp4")
    sparse_video(path, size)
    assert path.stat().st_blocks * 512 < 1024**2, "the file system did not keep the hole"
    return uploads.StoredFile(str(path), size, md5, "mp4", "keynote-4k.mp4")


def schedule(video: uploads.StoredFile, actor: uploads.Actor, channel_id: int | None) -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=video,
            file_name=video.name,
            title="Keynote, full length",
            privacy="public",
            target=TargetKind.CHANNEL if channel_id else TargetKind.AUTO,
            channel_id=channel_id,
            when_text="tomorrow 9am" if channel_id is None else "now",
        ),
        actor=actor,
    )
    return job_id


def test_a_job_over_2_gib_is_stored_listed_and_counted(
    any_world: SandboxWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quick: enqueue alone (what failed on PostgreSQL), without sending the bytes."""
    alice = person("alice@example.com")
    size = 3 * GIB + 1
    # Not hashed (enqueue never reads the file): this job is never uploaded.
    job_id = schedule(waiting_media(alice.id, size, "0" * 32), alice, None)

    with db.read_session() as s:
        [job] = queries.list_jobs(session=s)
    assert job.id == job_id and job.state == UploadState.SCHEDULED
    assert queries.public(job)["file_size"] == size
    assert uploads.media_usage(alice.id) == size
    # Her quota, a little over what waits, refuses the next video once it would pass it.
    monkeypatch.setenv("TUBEFLEET_MEDIA_QUOTA_BYTES_PER_USER", str(size + 100_000))
    reload_settings()
    with pytest.raises(InputError, match=r"you have 3\.0 GiB of videos waiting"):
        uploads.store_media(io.BytesIO(MP4_HEADER + bytes(200_000)), "next.mp4", owner=alice)
    uploads.store_media(io.BytesIO(MP4_HEADER + bytes(50_000)), "small.mp4", owner=alice)


@pytest.mark.slow
def test_a_video_over_2_gib_is_uploaded_and_published(any_world: SandboxWorld) -> None:
    any_world.control.update_settings(processing_delay=0.5, discard_video_bytes=True)
    channel = any_world.connected_channel(any_world.project(), "Conference Talks")
    alice = person("alice@example.com")
    video = waiting_media(alice.id, SIZE, EXPECTED_MD5)

    job_id = schedule(video, alice, channel.id)
    assert uploads.media_usage(alice.id) == SIZE  # her quota counts it while it waits
    job = run_jobs_until_done([job_id], timeout=240)[job_id]

    assert job.state == UploadState.PUBLISHED, (job.state_reason, job.last_error)
    shown = queries.public(job)  # `tubefleet uploads show --json`
    assert shown["file_size"] == SIZE > 2**31
    assert shown["bytes_confirmed"] == SIZE
    assert shown["bytes_sent"] >= SIZE and shown["attempts"] == 0
    row = progress_row(UploadJobPublic.of(job, {}))  # the Uploads page's progress column
    assert row["percent"] == "100" and row["bytes"] == "2,053.0 MiB of 2,053.0 MiB"
    [stored] = any_world.control.videos(channel_id=channel.youtube_id)
    assert stored["id"] == job.video_id and stored["upload_status"] == "processed"
    assert stored["byte_count"] == SIZE and stored["md5"] == EXPECTED_MD5
    [session] = any_world.control.uploads()
    assert session["total"] == SIZE and session["video_id"] == job.video_id
