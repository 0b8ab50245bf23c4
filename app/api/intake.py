"""The body of `POST /uploads`, read as it arrives: the video (and a thumbnail) go straight
into core's MediaWriter a block at a time, so memory stays flat whatever the file's size.

Two shapes: `multipart/form-data` with a `video` file part (an optional `thumbnail` file
part, the form's fields as text parts), or the raw video as the body with the fields as
JSON in the `X-Upload-Metadata` header. The fields are checked before the first video
byte is stored whenever they arrive first (always, in the raw shape)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from anyio import to_thread
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from app.api.problems import ApiProblem, invalid
from core import uploads
from core.auth import CurrentUser
from core.errors import InputError

FLUSH_BYTES = 1024 * 1024  # handed to the writer's thread a MiB at a time
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 40
FILE_PARTS = ("video", "thumbnail")


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the video is larger than the limit of {limit:,} bytes")
        self.limit = limit


@dataclass
class Incoming:
    fields: dict[str, Any] = field(default_factory=dict)
    video: uploads.StoredFile | None = None
    thumbnail: uploads.StoredFile | None = None

    def discard(self) -> None:
        uploads.discard(self.video)
        uploads.discard(self.thumbnail)


class _Sink:
    """One file part: buffered, then written by core's MediaWriter in a worker thread."""

    def __init__(self, writer: uploads.MediaWriter, part: str) -> None:
        self.writer, self.part, self.buffer = writer, part, bytearray()

    async def add(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= FLUSH_BYTES:
            await self.flush()

    async def flush(self) -> None:
        if self.buffer:
            block = bytes(self.buffer)
            self.buffer.clear()
            await to_thread.run_sync(self._write, block)

    def _write(self, block: bytes) -> None:
        try:
            self.writer.write(block)
        except InputError:
            if not self.writer.thumbnail and self.writer.size > self.writer.max_bytes:
                raise TooLarge(self.writer.max_bytes) from None
            raise

    async def finish(self) -> uploads.StoredFile:
        await self.flush()
        return await to_thread.run_sync(self.writer.finish)


async def _open(name: str, part: str, owner: CurrentUser) -> _Sink:
    thumbnail = part == "thumbnail"
    writer = await to_thread.run_sync(
        lambda: uploads.MediaWriter(name, thumbnail=thumbnail, owner=owner)
    )
    return _Sink(writer, part)


def header_fields(request: Request) -> dict[str, Any]:
    raw = request.headers.get("x-upload-metadata", "")
    if not raw:
        return {}
    try:
        fields = json.loads(raw)
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise invalid({"X-Upload-Metadata": "must be a JSON object of the upload's fields"})
    return fields


async def read_body(
    request: Request,
    *,
    owner: CurrentUser,
    precheck: Callable[[dict[str, Any]], None],
    tick: Callable[[], Awaitable[None]],
) -> Incoming:
    """Everything the request sent; files that are kept are the caller's to discard."""
    incoming = Incoming()
    sinks: list[_Sink] = []
    try:
        ctype = request.headers.get("content-type", "")
        if ctype.lower().startswith("multipart/form-data"):
            await _multipart(request, ctype, incoming, sinks, owner, precheck, tick)
        else:
            incoming.fields = header_fields(request)
            precheck(incoming.fields)
            name = str(incoming.fields.get("file_name") or "")
            sinks.append(
                await _open(name or request.headers.get("x-upload-filename", ""), "video", owner)
            )
            async for chunk in request.stream():
                await sinks[0].add(chunk)
                await tick()
            incoming.video = await sinks[0].finish()
        return incoming
    except BaseException:
        incoming.discard()
        raise
    finally:
        for sink in sinks:
            sink.writer.abort()  # harmless after finish(): only a partial file is removed


async def _multipart(
    request: Request,
    ctype: str,
    incoming: Incoming,
    sinks: list[_Sink],
    owner: CurrentUser,
    precheck: Callable[[dict[str, Any]], None],
    tick: Callable[[], Awaitable[None]],
) -> None:
    _, params = parse_options_header(ctype)
    boundary = params.get(b"boundary")
    if not boundary:
        raise invalid({"request": "the multipart Content-Type has no boundary"})
    events: list[tuple[str, bytes]] = []

    def note(kind: str) -> Callable[..., None]:
        def callback(data: bytes = b"", start: int = 0, end: int = 0) -> None:
            events.append((kind, bytes(data[start:end])))

        return callback

    kinds = (
        "part_begin",
        "part_data",
        "part_end",
        "header_field",
        "header_value",
        "header_end",
        "headers_finished",
    )
    parser = MultipartParser(boundary, {f"on_{k}": note(k) for k in kinds})  # type: ignore[arg-type]
    state = _PartState(incoming, sinks, owner, precheck)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for kind, data in events:
                await state.on(kind, data)
            events.clear()
            await tick()
        parser.finalize()
    except MultipartParseError:
        raise invalid({"request": "the multipart body is malformed"}) from None
    if state.open_part is not None:
        raise invalid({"request": "the multipart body ended inside a part"})


class _PartState:
    """Follows the parser's events: which part is open and where its bytes go."""

    def __init__(
        self,
        incoming: Incoming,
        sinks: list[_Sink],
        owner: CurrentUser,
        precheck: Callable[[dict[str, Any]], None],
    ) -> None:
        self.incoming, self.sinks, self.owner, self.precheck = incoming, sinks, owner, precheck
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.open_part: str | None = None
        self.text = bytearray()
        self.sink: _Sink | None = None

    async def on(self, kind: str, data: bytes) -> None:
        if kind == "part_begin":
            self.headers, self.text, self.sink, self.open_part = {}, bytearray(), None, ""
        elif kind == "header_field":
            self.header_name += data
        elif kind == "header_value":
            self.header_value += data
        elif kind == "header_end":
            self.headers[self.header_name.lower()] = self.header_value
            self.header_name = self.header_value = b""
        elif kind == "headers_finished":
            await self._start_part()
        elif kind == "part_data":
            await self._data(data)
        elif kind == "part_end":
            await self._end_part()

    async def _start_part(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        self.open_part = name
        if filename is None:
            if len(self.incoming.fields) >= MAX_FIELDS:
                raise invalid({"request": f"at most {MAX_FIELDS} fields"})
            return
        if name not in FILE_PARTS:
            raise invalid({name or "request": "unexpected file part (send 'video', 'thumbnail')"})
        if any(s.part == name for s in self.sinks):
            raise invalid({name: "send one file"})
        if name == "video" and "title" in self.incoming.fields:
            self.precheck(self.incoming.fields)  # before a byte of the video is stored
        self.sink = await _open(filename.decode("utf-8", "replace"), name, self.owner)
        self.sinks.append(self.sink)

    async def _data(self, data: bytes) -> None:
        if self.sink is not None:
            await self.sink.add(data)
            return
        self.text += data
        if len(self.text) > MAX_FIELD_BYTES:
            raise ApiProblem(
                413, f"field {self.open_part!r} is longer than {MAX_FIELD_BYTES:,} bytes"
            )

    async def _end_part(self) -> None:
        name = self.open_part or ""
        if self.sink is not None:
            stored = await self.sink.finish()
            setattr(self.incoming, self.sink.part, stored)
        elif name:
            try:
                self.incoming.fields[name] = self.text.decode("utf-8")
            except UnicodeDecodeError:
                raise invalid({name: "is not UTF-8 text"}) from None
        self.open_part, self.sink = None, None
