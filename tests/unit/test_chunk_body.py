"""A chunk of the video as a request body: exactly its bytes, again on a re-send, and never
fewer bytes than its announced length."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from youtube.upload import BLOCK_BYTES, ChunkedFileUpload


def _video(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def test_each_chunk_is_the_file_slice_and_can_be_sent_again(tmp_path: Path) -> None:
    size = 3 * BLOCK_BYTES + 12_345
    data = _video(tmp_path / "v.mp4", size)
    chunk = 2 * BLOCK_BYTES + 7
    media = ChunkedFileUpload(str(tmp_path / "v.mp4"), chunksize=chunk, resumable=True)
    try:
        sent = b""
        for begin in range(0, size, chunk):
            body = media.getbytes(begin, chunk)
            first = b"".join(bytes(block) for block in body)
            again = b"".join(bytes(block) for block in body)  # the http layer re-sends it
            assert first == again == data[begin : begin + chunk]
            assert len(body) == len(first)
            sent += first
        assert sent == data
    finally:
        media.stream().close()


def test_a_file_that_shrank_stops_the_chunk_instead_of_sending_short(tmp_path: Path) -> None:
    path = tmp_path / "v.mp4"
    _video(path, 2 * BLOCK_BYTES)
    media = ChunkedFileUpload(str(path), chunksize=2 * BLOCK_BYTES, resumable=True)
    try:
        body = media.getbytes(0, 2 * BLOCK_BYTES)
        os.truncate(path, BLOCK_BYTES)
        with pytest.raises(OSError, match="ended at byte"):
            for _ in body:
                pass
    finally:
        media.stream().close()
