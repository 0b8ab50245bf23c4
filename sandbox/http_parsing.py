"""Pure HTTP/1.1 request parsing for the sandbox's server protocol: head and chunked bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEAD_BYTES = 64 * 1024
_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class HttpParseError(ValueError):
    """The client sent something that is not valid HTTP/1.1; answer 400 and close."""


@dataclass
class RequestHead:
    method: str
    target: bytes
    version: str  # "1.1" or "1.0"
    headers: list[tuple[bytes, bytes]]  # names lower-cased
    content_length: int
    chunked: bool
    keep_alive: bool
    expect_continue: bool


def parse_head(raw: bytes) -> RequestHead:
    """Parse a request line and headers (without the blank line that ends them)."""
    lines = raw.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not _TOKEN.match(parts[0]) or not parts[1]:
        raise HttpParseError("malformed request line")
    method, target, version_raw = parts
    if version_raw not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise HttpParseError("unsupported HTTP version")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            raise HttpParseError("obsolete header folding")
        name, sep, value = line.partition(b":")
        if not sep or not _TOKEN.match(name):
            raise HttpParseError("malformed header line")
        headers.append((name.lower(), value.strip(b" \t")))
    version = version_raw[5:].decode()
    return _framed(method.decode(), target, version, headers)


def _framed(
    method: str, target: bytes, version: str, headers: list[tuple[bytes, bytes]]
) -> RequestHead:
    lengths = {v for n, v in headers if n == b"content-length"}
    codings = [v.lower() for n, v in headers if n == b"transfer-encoding"]
    connection = {
        t.strip().lower() for n, v in headers if n == b"connection" for t in v.split(b",")
    }
    keep_alive = b"close" not in connection and (version == "1.1" or b"keep-alive" in connection)
    chunked = False
    length = 0
    if codings:
        if codings[-1].split(b",")[-1].strip() != b"chunked":
            raise HttpParseError("unsupported transfer-encoding")
        chunked = True
        # A message with both is a smuggling risk: serve it, then close the connection.
        keep_alive = keep_alive and not lengths
    elif lengths:
        if len(lengths) != 1 or not next(iter(lengths)).isdigit():
            raise HttpParseError("bad content-length")
        length = int(next(iter(lengths)))
    expect = any(n == b"expect" and v.lower() == b"100-continue" for n, v in headers)
    return RequestHead(
        method, target, version, headers, length, chunked, keep_alive, expect and version == "1.1"
    )


class ChunkedDecoder:
    """Incremental decoder of a chunked request body."""

    def __init__(self) -> None:
        self._left = 0  # data bytes left in the current chunk
        self._state = "size"  # size | data | data_end | trailer | done
        self.done = False

    def feed(self, buf: bytearray) -> list[bytes]:
        """Consume what it can from `buf` (in place); return the body pieces found."""
        out: list[bytes] = []
        while buf and not self.done:
            if self._state == "size":
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > 1024:
                        raise HttpParseError("chunk size line too long")
                    break
                size_text = bytes(buf[:end]).split(b";")[0].strip()
                del buf[: end + 2]
                try:
                    self._left = int(size_text, 16)
                except ValueError:
                    raise HttpParseError("bad chunk size") from None
                self._state = "data" if self._left else "trailer"
            elif self._state == "data":
                take = min(self._left, len(buf))
                out.append(bytes(buf[:take]))
                del buf[:take]
                self._left -= take
                if not self._left:
                    self._state = "data_end"
            elif self._state == "data_end":
                if len(buf) < 2:
                    break
                if buf[:2] != b"\r\n":
                    raise HttpParseError("chunk not followed by CRLF")
                del buf[:2]
                self._state = "size"
            else:  # trailer lines until an empty one
                end = buf.find(b"\r\n")
                if end < 0:
                    break
                del buf[: end + 2]
                if end == 0:
                    self.done = True
        return out
