"""Connection-level tricks: draining an unread request body, and dropping a connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import Awaitable, Callable

from starlette.requests import ClientDisconnect, Request

TRANSPORT_EXTENSION = "sandbox.transport"
PIPE_EXTENSION = "sandbox.pipe_body"

logger = logging.getLogger("sandbox")


async def drain(request: Request) -> int:
    """Read and discard what is left of the body, so an early answer does not make the
    client's send fail (httplib2 writes the whole body before it reads the answer)."""
    discarded = 0
    try:
        async for chunk in request.stream():
            discarded += len(chunk)
    except (RuntimeError, ClientDisconnect):
        # RuntimeError: the body was already consumed by the handler.
        pass
    return discarded


def transport_of(request: Request) -> asyncio.Transport | None:
    extension = request.scope.get("extensions", {}).get(TRANSPORT_EXTENSION)
    return extension.get("transport") if isinstance(extension, dict) else None


def body_pipe(request: Request) -> Callable[[Callable[[bytes], bool]], Awaitable[str]] | None:
    """The server's direct body pipe (sandbox.fast_http), or None under other servers."""
    extension = request.scope.get("extensions", {}).get(PIPE_EXTENSION)
    return extension.get("pipe") if isinstance(extension, dict) else None


async def drop_connection(request: Request) -> bool:
    """Reset the client's connection mid-request. False when the server gave no transport
    (another ASGI server, or a test client); the caller then answers an error instead."""
    transport = transport_of(request)
    if transport is None:
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0 turns close into a TCP RST, which is what a client sees when a
        # network path dies, rather than a clean FIN that httplib2 would retry on.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    # Let the server run connection_lost first, so it does not try to answer for us.
    for _ in range(3):
        await asyncio.sleep(0)
    return True
