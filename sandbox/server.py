"""serve(): run the sandbox under uvicorn, with a protocol that lets faults reset connections."""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.app import create_app
from sandbox.connection import TRANSPORT_EXTENSION
from sandbox.fast_http import FastHttpProtocol

logger = logging.getLogger("sandbox")

# Idle keep-alive connections stay open this long. With uvicorn's default (5 s) a pause
# between chunks longer than that made httplib2's next chunk PUT fail with BrokenPipeError
# (it writes to the closed connection); Google's front ends keep idle connections longer.
KEEP_ALIVE_SECONDS = 120


def _base_protocol() -> type:
    try:
        import httptools  # noqa: F401
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    return HttpToolsProtocol


def _protocol_class(http: str) -> type:
    """ "fast": the sandbox's own HTTP/1.1 protocol (see fast_http.py). "uvicorn": uvicorn's
    (httptools if installed, else h11), with the transport exposed to the app."""
    if http == "fast":
        return FastHttpProtocol
    if http != "uvicorn":
        raise ValueError("http must be 'fast' or 'uvicorn'")
    base = _base_protocol()

    class TransportExposingProtocol(base):  # type: ignore[misc, valid-type]
        app: Callable[..., Awaitable[None]]  # set by uvicorn's protocol, wrapped here

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            inner = self.app

            async def app(
                scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
            ) -> None:
                extensions = scope.setdefault("extensions", {})
                extensions[TRANSPORT_EXTENSION] = {"transport": self.transport}
                await inner(scope, receive, send)

            self.app = app

    return TransportExposingProtocol


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def serve(
    host: str = "127.0.0.1",
    port: int = 3001,
    data_dir: Path | str | None = None,
    *,
    on_ready: Callable[[str], None] | None = None,
    http: str = "fast",
    **app_kwargs: Any,
) -> None:
    """Run until Ctrl-C or SIGTERM. Port 0 picks a free port; on_ready gets the base URL.
    app_kwargs go to create_app (access_token_lifetime, processing_delay, public_url)."""
    sock = bind(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{sock.getsockname()[1]}"
    app = create_app(Path(data_dir) if data_dir is not None else None, **app_kwargs)
    config = uvicorn.Config(
        app,
        http=_protocol_class(http),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = _Server(config, on_ready=lambda: on_ready(url) if on_ready else None)
    server.run(sockets=[sock])
