"""A lean HTTP/1.1 protocol for uvicorn whose request bodies reach the app without copies.

uvicorn's pure-Python h11 protocol copies each body chunk three times and tops out near
150 MB/s here; httptools (its fast parser) is not installed. This protocol hands the very
bytes objects the socket produced to the ASGI app, lets an upload pipe the rest of a body
straight into a file from the socket reads (scope["extensions"]["sandbox.pipe_body"]), and
exposes the asyncio transport (scope["extensions"]["sandbox.transport"]) so fault injection
can reset a connection.
"""

from __future__ import annotations

import asyncio
import http
import logging
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from sandbox.connection import PIPE_EXTENSION, TRANSPORT_EXTENSION
from sandbox.http_parsing import MAX_HEAD_BYTES, ChunkedDecoder, HttpParseError, parse_head

HIGH_WATER = 4 * 1024 * 1024  # buffered body bytes before the socket stops being read
logger = logging.getLogger("uvicorn.error")


def _phrase(status: int) -> bytes:
    try:
        return http.HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""


class _Cycle:
    """One request/response exchange: the body queue the app reads, the response it writes."""

    def __init__(self, proto: FastHttpProtocol, scope: dict[str, Any], head: Any) -> None:
        self.proto = proto
        self.scope = scope
        self.keep_alive = head.keep_alive
        self.expect_continue = head.expect_continue
        self.is_head = head.method == "HEAD"
        self.queue: deque[bytes] = deque()
        self.queued = 0
        self.more_body = True
        self.end_told = False
        self.event = asyncio.Event()
        self.pipe: Callable[[bytes], bool] | None = None
        self.pipe_done: asyncio.Future[str] | None = None
        self.disconnected = False
        self.response_started = False
        self.response_complete = False
        self.chunked_response = False
        self.pending_head: bytes | None = None

    async def pipe_body(self, consume: Callable[[bytes], bool]) -> str:
        """Feed the rest of the body to `consume` right from the socket reads, without a
        task switch per read (the upload fast path). `consume` returns False to stop.
        Returns "ended", "stopped" or "disconnected". After "ended", receive() still
        reports the end of the body once, so a later drain does not wait."""
        self._send_continue()
        while self.queue:
            data = self.queue.popleft()
            self.queued -= len(data)
            if not consume(data):
                return "stopped"
        if not self.more_body:
            return "ended"
        if self.disconnected:
            return "disconnected"
        self.pipe = consume
        self.pipe_done = self.proto.loop.create_future()
        self.proto.resume_reading()
        try:
            return await self.pipe_done
        finally:
            self.pipe = None
            self.pipe_done = None

    def finish_pipe(self, outcome: str, error: BaseException | None = None) -> None:
        done = self.pipe_done
        self.pipe = None
        if done is not None and not done.done():
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(outcome)

    def _send_continue(self) -> None:
        """The client asked to wait for 100 Continue: the app now wants the body."""
        if self.expect_continue and not self.response_started and not self.disconnected:
            self.proto.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.expect_continue = False

    async def receive(self) -> dict[str, Any]:
        proto = self.proto
        self._send_continue()
        while True:
            if self.queue:
                # One received piece per message: joining them would copy every byte again.
                body = self.queue.popleft()
                self.queued -= len(body)
                more = self.more_body or bool(self.queue)
                self.end_told = not more
                if self.queued <= HIGH_WATER:
                    proto.resume_reading()
                return {"type": "http.request", "body": body, "more_body": more}
            if self.disconnected:
                return {"type": "http.disconnect"}
            if not self.more_body:
                if not self.end_told:
                    self.end_told = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                if self.response_complete:
                    return {"type": "http.disconnect"}
                # The body is done: the app is listening for a disconnect until it answers.
            else:
                proto.resume_reading()
            self.event.clear()
            await self.event.wait()

    async def send(self, message: dict[str, Any]) -> None:
        proto = self.proto
        if proto.write_paused and not self.disconnected:
            await proto.drain()
        if self.disconnected:
            return
        kind = message["type"]
        if not self.response_started:
            if kind != "http.response.start":
                raise RuntimeError(f"Expected http.response.start, got {kind}")
            self.response_started = True
            self.expect_continue = False
            self.pending_head = self._head(message["status"], message.get("headers", []))
            return
        if self.response_complete or kind != "http.response.body":
            raise RuntimeError(f"Unexpected ASGI message {kind}")
        body = b"" if self.is_head else message.get("body", b"")
        more = message.get("more_body", False)
        out = [self.pending_head] if self.pending_head else []
        self.pending_head = None
        if self.chunked_response:
            if body:
                out += [b"%x\r\n" % len(body), body, b"\r\n"]
            if not more:
                out.append(b"0\r\n\r\n")
        elif body:
            out.append(body)
        if out:
            proto.transport.write(b"".join(out) if len(out) > 1 else out[0])
        if not more:
            self.response_complete = True
            self.event.set()
            proto.on_response_complete(self)

    def _head(self, status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
        lines = [b"HTTP/1.1 %d %s" % (status, _phrase(status))]
        has_length = False
        for name, value in [*self.proto.server_state.default_headers, *headers]:
            lower = name.lower()
            if lower == b"content-length":
                has_length = True
            elif lower == b"connection" and value.lower() == b"close":
                self.keep_alive = False
            elif lower == b"transfer-encoding":
                continue  # framing is this protocol's business
            lines.append(name + b": " + value)
        bodiless = self.is_head or status in (204, 304) or status < 200
        if not has_length and not bodiless:
            self.chunked_response = True
            lines.append(b"transfer-encoding: chunked")
        if not self.keep_alive:
            lines.append(b"connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n"

    async def run(self, app: Any) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except BaseException as exc:
            logger.error("Exception in ASGI application", exc_info=exc)
            if not self.response_started and not self.disconnected:
                await self._send_500()
            else:
                self.proto.close()
            if not isinstance(exc, Exception):
                raise
            return
        if not self.response_started and not self.disconnected:
            logger.error("ASGI callable returned without starting response.")
            await self._send_500()
        elif not self.response_complete and not self.disconnected:
            logger.error("ASGI callable returned without completing response.")
            self.proto.close()

    async def _send_500(self) -> None:
        self.keep_alive = False
        await self.send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", b"21"),
                ],
            }
        )
        await self.send({"type": "http.response.body", "body": b"Internal Server Error"})


class FastHttpProtocol(asyncio.Protocol):
    """Constructed by uvicorn like its own protocols: (config, server_state, app_state)."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.app = config.loaded_app
        self.loop = _loop or asyncio.get_event_loop()
        self.server_state = server_state
        self.app_state = app_state
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.buffer = bytearray()
        self.cycle: _Cycle | None = None
        self.body_left = 0
        self.decoder: ChunkedDecoder | None = None
        self.in_body = False
        self.discarding = False
        self.read_paused = False
        self.write_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._idle: asyncio.TimerHandle | None = None
        self.server: tuple[str, int] | None = None
        self.client: tuple[str, int] | None = None

    # --- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server_state.connections.add(self)
        sock = transport.get_extra_info("sockname")
        peer = transport.get_extra_info("peername")
        self.server = tuple(sock[:2]) if isinstance(sock, tuple) else None
        self.client = tuple(peer[:2]) if isinstance(peer, tuple) else None
        self._arm_idle()

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        self._disarm_idle()
        if self.cycle is not None:
            self.cycle.disconnected = True
            self.cycle.event.set()
            self.cycle.finish_pipe("disconnected")
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._drain_waiters.clear()

    def eof_received(self) -> bool | None:
        return None

    def data_received(self, data: bytes) -> None:
        self._disarm_idle()
        if self.in_body and self.decoder is None and not self.buffer:
            # The fast path: a content-length body, handed to the app as received.
            if len(data) <= self.body_left:
                self._deliver(data)
                self.body_left -= len(data)
                if not self.body_left:
                    self._end_body()
                return
            self._deliver(data[: self.body_left])
            data = data[self.body_left :]
            self.body_left = 0
            self._end_body()
        self.buffer += data
        self._process()

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._drain_waiters.clear()

    # --- uvicorn's server contract -------------------------------------------------------

    def shutdown(self) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self.close()
        else:
            self.cycle.keep_alive = False

    # --- internals -------------------------------------------------------------------------

    async def drain(self) -> None:
        waiter = self.loop.create_future()
        self._drain_waiters.append(waiter)
        await waiter

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def pause_reading(self) -> None:
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()

    def _arm_idle(self) -> None:
        self._disarm_idle()
        self._idle = self.loop.call_later(self.config.timeout_keep_alive, self.close)

    def _disarm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _deliver(self, data: bytes) -> None:
        cycle = self.cycle
        if self.discarding or cycle is None or cycle.disconnected:
            return
        if cycle.pipe is not None:
            try:
                going = cycle.pipe(data)
            except Exception as error:  # e.g. disk full: the app's await raises it
                going = False
                cycle.finish_pipe("stopped", error)
            if not going:
                self.pause_reading()
                cycle.finish_pipe("stopped")
            return
        cycle.queue.append(data)
        cycle.queued += len(data)
        cycle.event.set()
        if cycle.queued > HIGH_WATER:
            self.pause_reading()

    def _end_body(self) -> None:
        self.in_body = False
        self.decoder = None
        if self.discarding:
            self.discarding = False
            self.cycle = None
            self._arm_idle()
        elif self.cycle is not None:
            self.cycle.more_body = False
            self.cycle.event.set()
            self.cycle.finish_pipe("ended")

    def _process(self) -> None:
        try:
            while self.buffer:
                if self.in_body:
                    if not self._body_step():
                        return
                elif self.cycle is not None:
                    # A pipelined request waits until the current answer is complete.
                    self.pause_reading()
                    return
                elif not self._head_step():
                    return
        except HttpParseError as error:
            self._bad_request(str(error))

    def _body_step(self) -> bool:
        if self.decoder is not None:
            for piece in self.decoder.feed(self.buffer):
                self._deliver(piece)
            if self.decoder.done:
                self._end_body()
                return True
            return False
        take = min(self.body_left, len(self.buffer))
        self._deliver(bytes(self.buffer[:take]))
        del self.buffer[:take]
        self.body_left -= take
        if not self.body_left:
            self._end_body()
            return True
        return False

    def _head_step(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD_BYTES:
                raise HttpParseError("request head too large")
            return False
        head = parse_head(bytes(self.buffer[:end]))
        del self.buffer[: end + 4]
        raw_path, _, query = head.target.partition(b"?")
        scope = {
            "type": "http",
            "asgi": {"version": self.config.asgi_version, "spec_version": "2.3"},
            "http_version": head.version,
            "server": self.server,
            "client": self.client,
            "scheme": "https" if self.transport.get_extra_info("sslcontext") else "http",
            "method": head.method,
            "root_path": self.config.root_path,
            "path": self.config.root_path + unquote(raw_path.decode("latin-1")),
            "raw_path": raw_path,
            "query_string": query,
            "headers": head.headers,
            "state": self.app_state.copy(),
            "extensions": {TRANSPORT_EXTENSION: {"transport": self.transport}},
        }
        cycle = _Cycle(self, scope, head)
        scope["extensions"][PIPE_EXTENSION] = {"pipe": cycle.pipe_body}
        self.cycle = cycle
        self.in_body = True
        self.decoder = ChunkedDecoder() if head.chunked else None
        self.body_left = head.content_length
        if not head.chunked and not head.content_length:
            self._end_body()
        task = self.loop.create_task(cycle.run(self.app))
        self.server_state.tasks.add(task)
        task.add_done_callback(self.server_state.tasks.discard)
        return True

    def on_response_complete(self, cycle: _Cycle) -> None:
        if cycle is not self.cycle:
            return
        if not cycle.keep_alive:
            self.close()
            return
        if self.in_body:
            # The app answered before reading the whole body: skip the rest of it.
            self.discarding = True
            cycle.queue.clear()
            cycle.queued = 0
            self.resume_reading()
            return
        self.cycle = None
        self._arm_idle()
        self.resume_reading()
        if self.buffer:
            self._process()

    def _bad_request(self, message: str) -> None:
        logger.warning("Invalid HTTP request received: %s", message)
        body = b"Invalid HTTP request received."
        self.transport.write(
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
        )
        self.buffer.clear()
        self.close()
