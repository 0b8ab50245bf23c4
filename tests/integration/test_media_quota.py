"""Media storage limits (issue 9, finding 2): an aborted form upload leaves no `.part`
file behind, each person has a media quota enforced while the file streams in, and
housekeeping removes `.part` files orphaned by a dead writer after an hour.

Form uploads are driven through `core.uploads.receive` (what the Uploads page's handler
calls) with Reflex's own chunk iterator; the browser going away is what Reflex does on a
ClientDisconnect: it cancels the handler's task.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import reflex as rx

from core import auth, clock, uploads
from core.errors import InputError
from core.settings import get_settings, reload_settings
from models import TargetKind
from tests.integration.world import fake_video, person

KIB = 1024
MIB = 1024 * KIB
QUOTA = 3 * MIB
PIECE = 256 * KIB
PASSWORD = "correct horse battery"


@pytest.fixture
def media(database: str, tmp_path: Path) -> Iterator[Path]:
    """An empty media folder of its own, and a 3 MiB quota per person."""
    saved = {
        k: os.environ.get(k) for k in ("TUBEFLEET_DATA_DIR", "TUBEFLEET_MEDIA_QUOTA_BYTES_PER_USER")
    }
    os.environ["TUBEFLEET_DATA_DIR"] = str(tmp_path / "data")
    os.environ["TUBEFLEET_MEDIA_QUOTA_BYTES_PER_USER"] = str(QUOTA)
    reload_settings()
    folder = get_settings().media_dir
    folder.mkdir(parents=True)
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reload_settings()
    clock.reset()


def pieces(video: Path) -> list[bytes]:
    data = video.read_bytes()
    return [data[i : i + PIECE] for i in range(0, len(data), PIECE)]


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def stream(
    name: str, blocks: list[bytes], *, fail: Exception | None = None
) -> AsyncIterator[rx.UploadChunk]:
    offset = 0
    for block in blocks:
        yield rx.UploadChunk(filename=name, offset=offset, content_type="video/mp4", data=block)
        offset += len(block)
        await asyncio.sleep(0)
    if fail is not None:
        raise fail


def receive(
    owner: auth.CurrentUser | None, video: Path, *, fail: Exception | None = None
) -> uploads.StoredFile | None:
    return asyncio.run(uploads.receive(stream(video.name, pieces(video), fail=fail), owner=owner))


# --- an aborted upload leaves nothing ---------------------------------------------------------


def test_the_browser_going_away_mid_upload_leaves_no_part_file(media: Path, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    blocks = pieces(fake_video(tmp_path / "big.mp4", 2 * MIB))

    async def upload_then_disconnect() -> list[str]:
        chunks = rx.UploadChunkIterator(maxsize=8)
        task = asyncio.ensure_future(uploads.receive(chunks, owner=alice))
        chunks.set_consumer_task(task)
        offset = 0
        for block in blocks[:4]:
            await chunks.push(
                rx.UploadChunk(
                    filename="big.mp4", offset=offset, content_type="video/mp4", data=block
                )
            )
            offset += len(block)
        deadline = time.monotonic() + 10
        while sum(p.stat().st_size for p in media.glob("*.part")) < 4 * PIECE:
            assert time.monotonic() < deadline, "the handler never wrote the chunks"
            await asyncio.sleep(0.01)
        during = files(media)
        # What Reflex does on a ClientDisconnect: cancel the handler's task.
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled()
        return during

    during = asyncio.run(upload_then_disconnect())
    assert len(during) == 1 and during[0].endswith(f"-u{alice.id}.mp4.part")
    assert files(media) == []


@pytest.mark.parametrize(
    "failure",
    [ConnectionResetError("peer went away"), ValueError("multipart stream ended early")],
    ids=["connection-reset", "broken-multipart"],
)
def test_a_stream_that_breaks_mid_upload_leaves_no_part_file(
    media: Path, tmp_path: Path, failure: Exception
) -> None:
    video = fake_video(tmp_path / "clip.mp4", MIB)
    with pytest.raises(type(failure)):
        receive(person("alice@example.com"), video, fail=failure)
    assert files(media) == []


def test_a_refused_file_leaves_nothing(media: Path, tmp_path: Path) -> None:
    not_a_video = tmp_path / "notes.txt"
    not_a_video.write_bytes(b"just some text\n" * 10_000)
    with pytest.raises(InputError, match="is not a video"):
        receive(person("alice@example.com"), not_a_video)
    assert files(media) == []


def test_the_media_writer_cleans_up_whatever_stops_it(media: Path) -> None:
    with pytest.raises(RuntimeError), uploads.MediaWriter("clip.mp4") as writer:
        writer.write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * PIECE)
        assert writer.partial.exists()
        raise RuntimeError("the caller crashed")
    assert files(media) == []

    class Breaks:
        def __init__(self) -> None:
            self.reads = 0

        def read(self, n: int) -> bytes:
            self.reads += 1
            if self.reads > 2:
                raise OSError("the disk went away")
            return b"\x00\x00\x00\x18ftypmp42" + b"\x00" * PIECE

    with pytest.raises(OSError, match="disk went away"):
        uploads.store_media(Breaks(), "clip.mp4")  # type: ignore[arg-type]
    assert files(media) == []


def test_a_finished_upload_is_kept_under_its_owners_name(media: Path, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    stored = receive(alice, fake_video(tmp_path / "ok.mp4", MIB))
    assert stored is not None and stored.size == MIB and stored.kind == "mp4"
    assert stored.name == "ok.mp4"
    assert files(media) == [Path(stored.path).name]
    assert Path(stored.path).name.endswith(f"-u{alice.id}.mp4")


# --- a media quota per person -----------------------------------------------------------------


def schedule(stored: uploads.StoredFile, owner: auth.CurrentUser) -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=stored,
            file_name=stored.name,
            title="Waiting",
            target=TargetKind.AUTO,
            when_text="tomorrow 9am",
            tz="UTC",
        ),
        actor=owner,
    )
    return job_id


def test_the_quota_stops_an_upload_as_soon_as_it_is_exceeded(media: Path, tmp_path: Path) -> None:
    alice, bob = person("alice@example.com"), person("bob@example.com")
    first = receive(alice, fake_video(tmp_path / "one.mp4", 2 * MIB, seed=1))
    assert first is not None
    schedule(first, alice)
    assert uploads.media_usage(alice.id) == 2 * MIB
    # Her second video would make 4 MiB waiting: refused as soon as it passes 3 MiB.
    consumed = []

    async def watched(blocks: list[bytes]) -> AsyncIterator[rx.UploadChunk]:
        async for chunk in stream("two.mp4", blocks):
            consumed.append(len(chunk.data))
            yield chunk

    second = pieces(fake_video(tmp_path / "two.mp4", 2 * MIB, seed=2))
    with pytest.raises(InputError) as refused:
        asyncio.run(uploads.receive(watched(second), owner=alice))
    assert refused.value.field == "file"
    assert refused.value.message.startswith(
        "you have 2.0 MiB of videos waiting (plus 1.2 MiB of this file so far); the limit "
        "is 3.0 MiB per person"
    )
    assert sum(consumed) == MIB + PIECE  # stopped at the first piece over the limit
    assert files(media) == [Path(first.path).name]  # the partial is gone
    # Bob's quota is his own.
    assert receive(bob, fake_video(tmp_path / "bob.mp4", 2 * MIB, seed=3)) is not None


def test_waiting_media_counts_unsubmitted_and_in_progress_uploads(
    media: Path, tmp_path: Path
) -> None:
    alice, bob = person("alice@example.com"), person("bob@example.com")
    # A form upload she never submitted counts (one tab could otherwise fill the disk).
    unsubmitted = receive(alice, fake_video(tmp_path / "draft.mp4", MIB + 512 * KIB))
    assert unsubmitted is not None
    # An upload of hers still streaming in (another tab) counts too.
    with uploads.MediaWriter("live.mp4", owner=alice) as live:
        live.write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (MIB - 12))
        assert uploads.media_usage(alice.id) == MIB + 512 * KIB + MIB
        assert uploads.media_usage(bob.id) == 0
        with pytest.raises(InputError, match=r"you have 2\.5 MiB of videos waiting"):
            receive(alice, fake_video(tmp_path / "third.mp4", MIB, seed=4))
    # Once the other upload stopped, the same file fits.
    assert receive(alice, fake_video(tmp_path / "third.mp4", MIB, seed=4)) is not None
    assert len([n for n in files(media) if n.endswith(".part")]) == 0


def test_a_full_quota_refuses_before_a_byte_is_written(media: Path, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    full = receive(alice, fake_video(tmp_path / "full.mp4", QUOTA))
    assert full is not None
    # Not scheduled yet (a form not submitted) still counts, and the message says so.
    with pytest.raises(
        InputError,
        match=r"you have 3\.0 MiB of videos waiting \(3\.0 MiB of "
        r"it uploaded but not scheduled yet, kept a day in "
        r"case a form still submits it\); the limit is 3\.0 "
        r"MiB per person",
    ):
        uploads.MediaWriter("more.mp4", owner=alice)
    assert files(media) == [Path(full.path).name]
    schedule(full, alice)
    with pytest.raises(InputError, match=r"you have 3\.0 MiB of videos waiting; the limit "):
        uploads.MediaWriter("more.mp4", owner=alice)
    assert files(media) == [Path(full.path).name]
    # A file over the whole quota on its own says that.
    bob = person("bob@example.com")
    with pytest.raises(
        InputError,
        match=r"is larger than the 3\.0 MiB of videos one person "
        r"may have waiting to upload",
    ):
        receive(bob, fake_video(tmp_path / "huge.mp4", QUOTA + PIECE))
    assert files(media) == [Path(full.path).name]


def test_finished_jobs_and_shared_files_count_once_or_not_at_all(
    media: Path, tmp_path: Path
) -> None:
    alice = person("alice@example.com")
    stored = receive(alice, fake_video(tmp_path / "shared.mp4", 2 * MIB))
    assert stored is not None
    first = schedule(stored, alice)
    second = schedule(stored, alice)  # two jobs, one file (as a fan-out makes)
    assert uploads.media_usage(alice.id) == 2 * MIB
    uploads.cancel(job_id=first, actor=alice)
    assert uploads.media_usage(alice.id) == 2 * MIB
    uploads.cancel(job_id=second, actor=alice)
    # Cancelled jobs keep their file a while, but it no longer counts as waiting.
    assert uploads.media_usage(alice.id) == 0


def test_the_cli_and_a_zero_quota_are_not_limited(media: Path, tmp_path: Path) -> None:
    alice = person("alice@example.com")
    big = fake_video(tmp_path / "big.mp4", QUOTA + MIB)
    stored = uploads.store_path(big)  # the CLI: the system, no person's quota
    assert stored.size == QUOTA + MIB
    os.environ["TUBEFLEET_MEDIA_QUOTA_BYTES_PER_USER"] = "0"
    reload_settings()
    assert receive(alice, big) is not None


# --- housekeeping -----------------------------------------------------------------------------


def test_housekeeping_removes_part_files_orphaned_for_an_hour(media: Path) -> None:
    now = time.time()

    def aged(name: str, minutes: float) -> Path:
        path = media / name
        path.write_bytes(b"x" * 100)
        os.utime(path, (now - minutes * 60, now - minutes * 60))
        return path

    orphan = aged("0" * 32 + "-u7.mp4.part", 61)
    live = aged("1" * 32 + "-u7.mp4.part", 5)
    unsubmitted = aged("2" * 32 + "-u7.mp4", 61)  # a form may still submit it (24 h)
    below = media / "keep"
    below.mkdir()
    nested = below / "old.part"
    nested.write_bytes(b"x")
    os.utime(nested, (now - 7200, now - 7200))
    assert uploads.prune_partials() == 1
    assert not orphan.exists() and live.exists() and unsubmitted.exists() and nested.exists()
    # The hourly housekeeping pass does it as part of pruning media.
    orphan = aged("3" * 32 + ".mp4.part", 90)
    uploads.prune_media()
    assert not orphan.exists() and live.exists() and unsubmitted.exists()


def test_a_stalled_upload_whose_part_was_pruned_says_so(media: Path) -> None:
    alice = person("alice@example.com")
    writer = uploads.MediaWriter("slow.mp4", owner=alice)
    writer.write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * PIECE)
    clock.shift(uploads.PARTIAL_GRACE * 2)  # nobody wrote for two hours
    assert uploads.prune_partials() == 1
    with pytest.raises(InputError, match="stalled for too long"):
        writer.finish()
    assert files(media) == []
