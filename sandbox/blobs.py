"""Streaming request bodies to files without holding them in memory (or, for multi-GiB
test uploads, to nothing but a running MD5 and a byte count)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from starlette.requests import ClientDisconnect, Request

from sandbox.connection import body_pipe


class Sink(Protocol):
    """Where body bytes go: an open binary file, or a DigestSink."""

    def write(self, data: bytes | memoryview, /) -> int | None: ...


# The MD5 a video gets when part of its bytes were discarded but not hashed (a restart,
# or the setting switched mid-upload): plainly not a checksum, so no test compares equal.
MD5_UNKNOWN = "unknown: bytes discarded unhashed"


def discard_marker(blob: Path | str) -> Path:
    """An empty file beside a blob some of whose bytes were discarded: it outlives a
    restart (the running MD5 does not), so the video is never given the hole's MD5."""
    return Path(f"{blob}.discarded")


class DigestSink:
    """Stands in for an upload's blob file when video bytes are discarded: hashes and
    counts them, keeps none. `offset` is where the upload stood when this sink took over;
    bytes before it were not hashed here, so the MD5 is known only if it was 0."""

    def __init__(self, offset: int) -> None:
        self._digest = hashlib.md5()
        self.hashed = offset  # the upload's bytes that went through a sink, or before it
        self.complete = offset == 0

    def write(self, data: bytes | memoryview, /) -> int:
        self._digest.update(data)
        self.hashed += len(data)
        return len(data)

    def md5(self, byte_count: int) -> str:
        """The upload's MD5 when every one of its `byte_count` bytes was hashed here."""
        if self.complete and self.hashed == byte_count:
            return self._digest.hexdigest()
        return MD5_UNKNOWN


@dataclass
class Received:
    """How much of a body reached the file, and whether the body ended early."""

    written: int = 0
    arrived: int = 0
    disconnected: bool = False
    cut_by_fault: bool = False


def write_all(sink: Sink, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        count = sink.write(view)
        view = view[count or 0 :] if count is not None else view[len(view) :]


class _Consumer:
    """Takes body pieces in order: skips already-stored bytes, writes the rest, stops once
    `stop_after` bytes arrived. Returns False from a call when reading should stop."""

    def __init__(self, sink: Sink, skip: int, stop_after: int | None) -> None:
        self.sink = sink
        self.skip = skip
        self.stop_after = stop_after
        self.got = Received()

    def __call__(self, data: bytes) -> bool:
        got = self.got
        view = memoryview(data)
        if self.stop_after is not None and got.arrived + len(view) >= self.stop_after:
            view = view[: self.stop_after - got.arrived]
            got.cut_by_fault = True
        start = got.arrived
        got.arrived += len(view)
        if got.arrived > self.skip:
            piece = view[max(self.skip - start, 0) :]
            write_all(self.sink, piece)
            got.written += len(piece)
        return not got.cut_by_fault


async def stream_to_file(
    request: Request,
    sink: Sink,
    *,
    skip: int = 0,
    stop_after: int | None = None,
) -> Received:
    """Write the body to `sink` as it arrives. The first `skip` bytes are already stored and
    are discarded; with `stop_after`, reading ends once that many body bytes arrived (the
    caller then drops the connection)."""
    # Writes happen inline: a page-cache write of one socket read is short, and a writer
    # thread measured slower here (GIL hand-offs on a 2-core machine shared with the
    # client). Under sandbox.fast_http the pieces come straight from the socket reads.
    consume = _Consumer(sink, skip, stop_after)
    pipe = body_pipe(request)
    if pipe is not None:
        if await pipe(consume) == "disconnected":
            consume.got.disconnected = True
        return consume.got
    try:
        async for data in request.stream():
            if data and not consume(data):
                break
    except ClientDisconnect:
        consume.got.disconnected = True
    return consume.got


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb", buffering=0) as source:
        buffer = bytearray(4 << 20)
        view = memoryview(buffer)
        while count := source.readinto(buffer):
            digest.update(view[:count])
    return digest.hexdigest()


def size_of(path: Path | str) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0
