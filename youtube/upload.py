"""Resumable videos.insert with google-api-python-client, made crash-safe.

The library builds the requests and sends the chunks. We add three things:
- the session URI is handed to the caller (who stores it) *before* any byte is sent,
  by wrapping the http object that answers the session-start POST;
- after every chunk the offset the server confirmed is handed to the caller;
- after an error or a restart we ask the session where it stands (`bytes */TOTAL`)
  and continue from there; if the final answer was lost, that question returns the
  finished video instead of uploading it again.
The library's own retry (num_retries) is not used: with a streaming MediaFileUpload it
re-sends an already consumed chunk and hangs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from googleapiclient.discovery import Resource
from googleapiclient.http import MediaFileUpload

from youtube.errors import Action, GoogleError, classify, classify_status

# The piece of a chunk read from the file and handed to the socket at a time. Reading a
# block while the receiver drains the last one keeps the disk read off the critical path,
# and one reused buffer keeps memory flat whatever the chunk size.
BLOCK_BYTES = 1024 * 1024


class ChunkBody:
    """One chunk of the file as a request body: its length, and its bytes as blocks read
    on demand into one reused buffer.

    http.client sends an iterable body block by block, one `sendall` each, with no copy
    of the chunk in memory. It can be iterated again (the http layer re-sends a body
    after a dropped keep-alive connection or a token refresh).
    """

    def __init__(self, fd: int, begin: int, length: int, buffer: bytearray) -> None:
        self._fd = fd
        self._begin = begin
        self._length = length
        self._view = memoryview(buffer)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[memoryview]:
        position, end = self._begin, self._begin + self._length
        while position < end:
            count = os.preadv(
                self._fd, [self._view[: min(len(self._view), end - position)]], position
            )
            if count == 0:  # the file shrank under us: never send fewer bytes than announced
                raise OSError(f"the video file ended at byte {position}, expected {end}")
            yield self._view[:count]
            position += count


class ChunkedFileUpload(MediaFileUpload):  # type: ignore[misc]  # googleapiclient is untyped
    """MediaFileUpload whose chunks are `ChunkBody`s, not a stream.

    With a stream, the library slices the file and http.client copies it in 8 KiB reads (a
    Python loop per 8 KiB); reading each chunk whole into new bytes costs an allocation and
    its page faults per chunk, before the first byte goes out. A ChunkBody reads 1 MiB
    blocks into one buffer as the socket takes them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._buffer = bytearray(BLOCK_BYTES)

    def has_stream(self) -> bool:
        return False

    def getbytes(self, begin: int, length: int) -> ChunkBody:
        length = max(min(length, self.size() - begin), 0)
        return ChunkBody(self.stream().fileno(), begin, length, self._buffer)


@dataclass(frozen=True)
class SessionStatus:
    """Where a resumable session stands on the server."""

    confirmed: int  # bytes stored (the next byte to send)
    video: dict[str, Any] | None = None  # the finished video, if it completed
    gone: bool = False  # the session expired or never existed: start a new one


class _RecordingHttp:
    """Wraps an httplib2-style http: reports the new session URI before the library uses
    it, and counts the bytes of every chunk handed to the network."""

    def __init__(self, http: Any, on_session: Callable[[str], None]) -> None:
        self._http = http
        self._on_session = on_session
        self.bytes_sent = 0

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        if method == "PUT" and headers:
            self.bytes_sent += int(
                headers.get("Content-Length") or headers.get("content-length") or 0
            )
        resp, content = self._http.request(uri, method, body=body, headers=headers, **kwargs)
        if (
            method == "POST"
            and "uploadType=resumable" in uri
            and resp.status == 200
            and "location" in resp
        ):
            self._on_session(resp["location"])
        return resp, content

    def __getattr__(self, name: str) -> Any:
        return getattr(self._http, name)


def query_session(http: Any, session_uri: str, total: int) -> SessionStatus:
    """Ask a resumable session how many bytes it holds (or for its finished video)."""
    resp, content = http.request(
        session_uri,
        "PUT",
        body=b"",
        headers={"Content-Length": "0", "Content-Range": f"bytes */{total}"},
    )
    status = int(resp.status)
    if status in (200, 201):
        return SessionStatus(confirmed=total, video=json.loads(content))
    if status == 308:
        stored = resp.get("range")  # "bytes=0-N"; absent when nothing is stored yet
        return SessionStatus(confirmed=int(stored.rsplit("-", 1)[1]) + 1 if stored else 0)
    if status in (404, 410):
        return SessionStatus(confirmed=0, gone=True)
    raise classify_status(status, content)


@dataclass
class UploadSpec:
    path: str
    size: int
    mimetype: str
    metadata: dict[str, Any]
    part: str = "snippet,status"
    chunk_size: int = 8 * 1024 * 1024


class ResumableUpload:
    """One video's upload through one session (new or resumed)."""

    def __init__(
        self, spec: UploadSpec, *, session_uri: str | None, on_session: Callable[[str], None]
    ) -> None:
        self.spec = spec
        self.session_uri = session_uri
        self.confirmed = 0
        self._on_session = on_session
        self.bytes_sent = 0

    def check_file(self) -> None:
        """The file is still there, with the size the job recorded; else nothing to send."""
        try:
            size = os.path.getsize(self.spec.path)
        except OSError:
            size = -1
        if size != self.spec.size:
            raise GoogleError(
                Action.FAIL,
                "localFileMissing",
                f"the video file {self.spec.path} is missing or changed "
                f"({size} bytes, expected {self.spec.size})",
            )

    def _remember(self, uri: str) -> None:
        self.session_uri = uri
        self._on_session(uri)

    def _request(self, service: Resource) -> tuple[Any, MediaFileUpload]:
        media = ChunkedFileUpload(
            self.spec.path,
            mimetype=self.spec.mimetype,
            chunksize=self.spec.chunk_size,
            resumable=True,
        )
        request = service.videos().insert(
            part=self.spec.part, body=self.spec.metadata, media_body=media
        )
        if self.session_uri:
            request.resumable_uri = self.session_uri
            request.resumable_progress = self.confirmed
        return request, media

    def status(self, http: Any) -> SessionStatus:
        assert self.session_uri
        answer = query_session(http, self.session_uri, self.spec.size)
        if answer.gone:
            self.session_uri = None
            self.confirmed = 0
        else:
            self.confirmed = answer.confirmed
        return answer

    def send(
        self, service: Resource, http: Any, on_chunk: Callable[[int, int], bool]
    ) -> dict[str, Any]:
        """Send chunks until the video exists; returns the video resource.

        `on_chunk(confirmed, bytes_sent)` runs before every chunk (the first and the last
        included) with the progress so far; returning False stops before sending more
        (the job was cancelled or taken over). Errors propagate as GoogleError; call
        `status()` and `send()` again to continue.
        """
        recording = _RecordingHttp(http, self._remember)
        request, media = self._request(service)
        try:
            response: dict[str, Any] | None = None
            while response is None:
                if not on_chunk(self.confirmed, self.bytes_sent):
                    raise GoogleError(
                        Action.FAIL,
                        "leaseLost",
                        "the job was cancelled or another worker took it over",
                    )
                try:
                    progress, response = request.next_chunk(http=recording, num_retries=0)
                except Exception as exc:
                    raise classify(exc) from None
                finally:
                    self.bytes_sent += recording.bytes_sent
                    recording.bytes_sent = 0
                if response is None:
                    self.confirmed = progress.resumable_progress if progress else 0
            self.confirmed = self.spec.size
            on_chunk(self.confirmed, self.bytes_sent)  # the final progress; nothing to stop
            return response
        finally:
            media.stream().close()  # the open file behind the upload
