"""A streaming multipart/related reader: metadata part in memory, media part straight to a file."""

from __future__ import annotations

import re
from typing import BinaryIO

MAX_METADATA = 1 << 20


def boundary_of(content_type: str) -> bytes | None:
    match = re.search(r'boundary="?([^";]+)"?', content_type, re.IGNORECASE)
    return match.group(1).encode() if match else None


def _parse_headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.replace(b"\r\n", b"\n").split(b"\n"):
        name, sep, value = line.partition(b":")
        if sep:
            headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return headers


class RelatedReader:
    """Feed the body in pieces. The first part (JSON metadata) is kept; the second (media) is
    written to `media` as it arrives. Accepts CRLF and bare LF line ends: Python's email
    generator, which google-api-python-client uses, writes LF."""

    def __init__(self, boundary: bytes, media: BinaryIO) -> None:
        self._dash = b"--" + boundary
        self._delimiter = b"\n" + self._dash
        self._media = media
        self._buffer = bytearray()
        self._state = "preamble"
        self._part = -1
        self.metadata = bytearray()
        self.media_headers: dict[str, str] = {}
        self.metadata_headers: dict[str, str] = {}
        self.media_bytes = 0
        self.done = False

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while self._step():
            pass

    def _step(self) -> bool:
        buf = self._buffer
        if self._state == "preamble":
            at = buf.find(self._dash)
            end = buf.find(b"\n", at) if at >= 0 else -1
            if end < 0:
                return False
            del buf[: end + 1]
            self._begin_part()
            return True
        if self._state == "headers":
            ends = [
                (i, n) for i, n in ((buf.find(b"\r\n\r\n"), 4), (buf.find(b"\n\n"), 2)) if i >= 0
            ]
            if not ends:
                if len(buf) > 64 * 1024:
                    raise ValueError("multipart part headers are too long")
                return False
            at, size = min(ends)
            headers = _parse_headers(bytes(buf[:at]))
            if self._part == 0:
                self.metadata_headers = headers
            else:
                self.media_headers = headers
            del buf[: at + size]
            self._state = "body"
            return True
        if self._state == "body":
            return self._body_step()
        return False

    def _begin_part(self) -> None:
        self._part += 1
        if self._part > 1:
            raise ValueError("multipart/related upload has more than two parts")
        self._state = "headers"

    def _emit(self, data: bytes | bytearray) -> None:
        if self._part == 0:
            self.metadata += data
            if len(self.metadata) > MAX_METADATA:
                raise ValueError("multipart metadata part is too large")
        else:
            self._media.write(data)
            self.media_bytes += len(data)

    def _body_step(self) -> bool:
        buf = self._buffer
        at = buf.find(self._delimiter)
        if at < 0:
            # Keep a tail that could be the start of a split delimiter (plus a CR).
            keep = len(self._delimiter) + 1
            if len(buf) > keep:
                self._emit(bytes(buf[: len(buf) - keep]))
                del buf[: len(buf) - keep]
            return False
        after = at + len(self._delimiter)
        if len(buf) < after + 2:
            return False
        end = at - 1 if at > 0 and buf[at - 1] == 0x0D else at
        self._emit(bytes(buf[:end]))
        closing = buf[after : after + 2] == b"--"
        newline = buf.find(b"\n", after)
        if not closing and newline < 0:
            return False
        del buf[: (after + 2) if closing else newline + 1]
        if closing:
            self._state = "epilogue"
            self.done = True
            buf.clear()
            return False
        self._begin_part()
        return True
