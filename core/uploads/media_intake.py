"""Bringing a file into the media folder: streamed to disk piece by piece, checked (size,
content) and counted against its owner's media quota as it arrives; nothing left behind
when it is refused or abandoned."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Any, BinaryIO

from core.auth import CurrentUser
from core.errors import InputError
from core.settings import get_settings
from core.uploads.media import StoredFile, media_dir, owned_name, usage
from youtube import limits

READ_BLOCK = 1024 * 1024
# While a file streams in, the person's other waiting media is counted again this often.
QUOTA_RECHECK_BYTES = 64 * 1024 * 1024


def _size(n: float) -> str:
    """1.5 GiB, 300.0 MiB, 12.0 KiB: a size for people."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale or unit == "KiB":
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,.0f} bytes"  # pragma: no cover


class MediaWriter:
    """Writes an incoming file into data/media under a generated name, piece by piece,
    checking size, content and the owner's media quota as it goes. Never holds the file
    in memory; a refused, broken or abandoned upload leaves nothing behind: call `abort`
    (or use it as a context manager) whatever stops the upload."""

    def __init__(
        self, original_name: str, *, thumbnail: bool = False, owner: CurrentUser | None = None
    ) -> None:
        self.thumbnail = thumbnail
        self.original_name = original_name
        self.max_bytes = (
            limits.THUMBNAIL_MAX_BYTES if thumbnail else get_settings().upload_max_bytes
        )
        suffix = Path(original_name).suffix.lower()[:10] if original_name else ""
        self.owner_id = owner.id if owner is not None else None
        self.target = media_dir() / owned_name(uuid.uuid4().hex, self.owner_id, suffix)
        self.partial = self.target.with_name(self.target.name + ".part")
        # The per-person quota counts videos (a thumbnail is at most a couple of MiB).
        self.quota = (
            0 if (owner is None or thumbnail) else get_settings().media_quota_bytes_per_user
        )
        self.waiting = 0  # the owner's other media, counted when needed
        self._loose = 0  # of which not (yet) scheduled
        self._counted_at = 0
        self._digest = hashlib.md5(usedforsecurity=False)
        self._head = b""
        self.size = 0
        self._out: BinaryIO | None = None
        if self.quota:
            self._count_waiting()
            if self.waiting >= self.quota:
                raise InputError("file", self._over_quota())
        self._out = self.partial.open("wb")

    def __enter__(self) -> MediaWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()

    @property
    def what(self) -> str:
        return "thumbnail" if self.thumbnail else "file"

    def _count_waiting(self) -> None:
        assert self.owner_id is not None
        waiting = usage(self.owner_id, excluding=self.partial)
        self.waiting, self._loose, self._counted_at = waiting.total, waiting.loose, self.size

    def _over_quota(self) -> str:
        if not self.waiting:
            return (
                f"is larger than the {_size(self.quota)} of videos one person may have "
                "waiting to upload"
            )
        details = []
        if self._loose:
            details.append(
                f"{_size(self._loose)} of it uploaded but not scheduled yet, kept "
                "a day in case a form still submits it"
            )
        if self.size:
            details.append(f"plus {_size(self.size)} of this file so far")
        said = f" ({'; '.join(details)})" if details else ""
        return (
            f"you have {_size(self.waiting)} of videos waiting{said}; the limit is "
            f"{_size(self.quota)} per person. Cancel jobs you no longer need, or wait "
            "until some are uploaded, then try again"
        )

    def write(self, block: bytes) -> None:
        if self._out is None:
            raise InputError(self.what, "the upload was already stopped")
        if len(self._head) < limits.HEAD_BYTES:
            self._head += block[: limits.HEAD_BYTES - len(self._head)]
        self.size += len(block)
        if self.size > self.max_bytes:
            self.abort()
            raise InputError(self.what, f"is larger than the limit of {self.max_bytes:,} bytes")
        if self.quota:
            if self.size - self._counted_at >= QUOTA_RECHECK_BYTES:
                self._count_waiting()  # other uploads of this person may have grown
            if self.waiting + self.size > self.quota:
                self.abort()
                raise InputError(self.what, self._over_quota())
        self._digest.update(block)
        try:
            self._out.write(block)
        except BaseException:
            self.abort()
            raise

    def finish(self) -> StoredFile:
        """Check what arrived and keep it; raises InputError (and keeps nothing)."""
        if self._out is None:
            raise InputError(self.what, "the upload was already stopped")
        self._out.close()
        self._out = None
        try:
            if self.size == 0:
                raise InputError(self.what, "is empty")
            if self.thumbnail:
                problem = limits.validate_thumbnail(self._head, self.size)
                if problem:
                    raise InputError("thumbnail", problem)
                kind = (limits.image_mimetype(self._head) or "").removeprefix("image/")
            else:
                kind = limits.sniff_video_container(self._head) or ""
                if not kind:
                    raise InputError(
                        "file",
                        f"{self.original_name or 'the file'} is not a "
                        "video (expected MP4, MOV, WebM, MKV, AVI, FLV, "
                        "MPEG, WMV or OGG content)",
                    )
            try:
                self.partial.replace(self.target)
            except FileNotFoundError:
                raise InputError(
                    self.what, "the upload stalled for too long and was discarded; upload it again"
                ) from None
        except BaseException:
            self.partial.unlink(missing_ok=True)
            raise
        return StoredFile(
            str(self.target), self.size, self._digest.hexdigest(), kind, self.original_name
        )

    def abort(self) -> None:
        """Stop and delete the partial file (harmless after `finish` or a second time)."""
        out, self._out = self._out, None
        try:
            if out is not None:
                out.close()
        finally:
            self.partial.unlink(missing_ok=True)


def store_media(
    source: BinaryIO,
    original_name: str,
    *,
    thumbnail: bool = False,
    owner: CurrentUser | None = None,
) -> StoredFile:
    """Stream a file object into the media folder (see MediaWriter)."""
    with MediaWriter(original_name, thumbnail=thumbnail, owner=owner) as writer:
        while block := source.read(READ_BLOCK):
            writer.write(block)
        return writer.finish()


async def receive(
    chunks: AsyncIterable[Any], *, owner: CurrentUser | None, thumbnail: bool = False
) -> StoredFile | None:
    """Stream a form upload (chunks with `.filename` and `.data`, as Reflex hands them)
    into the media folder; None when nothing arrived.

    Whatever stops it (a refused file or the person's quota: InputError; a broken
    stream; the browser going away, which cancels the handler's task) the partial file
    is deleted before this returns or raises, not left for housekeeping."""
    writer: MediaWriter | None = None
    try:
        async for chunk in chunks:
            if writer is None:
                writer = MediaWriter(chunk.filename or "", thumbnail=thumbnail, owner=owner)
            elif (chunk.filename or "") != writer.original_name:
                raise InputError("thumbnail" if thumbnail else "file", "choose one file")
            writer.write(chunk.data)
        return writer.finish() if writer is not None else None
    finally:
        if writer is not None:
            writer.abort()  # after finish() there is nothing left to delete


def discard(stored: StoredFile | None) -> None:
    """Remove a stored file nobody will use (a form reset, a refused CLI upload)."""
    if stored is not None:
        Path(stored.path).unlink(missing_ok=True)


def store_path(path: Path, *, thumbnail: bool = False) -> StoredFile:
    """Copy a local file (the CLI's FILE argument) into the media folder."""
    if not path.is_file():
        raise InputError("thumbnail" if thumbnail else "file", f"{path} does not exist")
    with path.open("rb") as source:
        return store_media(source, path.name, thumbnail=thumbnail)
