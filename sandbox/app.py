"""create_app(): the sandbox ASGI application (Google OAuth, YouTube Data API v3, control API)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox import (
    analytics_api,
    control_api,
    inspect_api,
    media,
    oauth,
    playlists_api,
    stats_api,
    thumbnails,
    token_endpoint,
    upload_chunks,
    uploads,
    youtube_api,
)
from sandbox.control_guard import ControlGuard
from sandbox.errors import ApiError
from sandbox.private_files import private_dir
from sandbox.state import Sandbox, Settings

logger = logging.getLogger("sandbox")

_HOME = """<!doctype html><html><head><meta charset="utf-8"><title>TubeFleet sandbox</title>
</head><body style="font-family:sans-serif;max-width:640px;margin:40px auto">
<h1>TubeFleet sandbox</h1>
<p>A local emulator of the YouTube Data API v3 and Google OAuth 2.0.</p>
<ul><li>Data API root: <code>/youtube/v3/</code>, uploads: <code>/upload/youtube/v3/</code></li>
<li>YouTube Analytics v2: <code>/youtubeanalytics/v2/reports</code></li>
<li>OAuth: <code>/o/oauth2/auth</code>, <code>/token</code>, <code>/revoke</code></li>
<li>Control API: <a href="/_sandbox/">/_sandbox/</a> (see sandbox/README.md)</li></ul>
</body></html>"""


async def home(request: Request) -> Response:
    return HTMLResponse(_HOME)


async def control_index(request: Request) -> Response:
    routes = control_api.routes + inspect_api.routes + stats_api.routes
    return JSONResponse(
        {
            "endpoints": [
                f"{method} {route.path}"
                for route in routes
                for method in sorted(route.methods or [])
                if method != "HEAD"
            ]
        }
    )


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/youtube/", "/upload/", "/resumable/", "/youtubeanalytics/"))


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if _is_api(request):
        reason = "notFound" if status == 404 else "badRequest"
        message = "Method not found." if status in (404, 405) else str(getattr(exc, "detail", ""))
        return ApiError(status, reason, message).response()
    if request.url.path.startswith("/_sandbox/"):
        return JSONResponse(
            {"error": f"no control endpoint {request.method} {request.url.path}"},
            status_code=status,
        )
    return Response(f"{status}: {request.method} {request.url.path}", status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("sandbox error on %s %s", request.method, request.url.path)
    return ApiError(500, "internalError", f"Sandbox internal error: {exc!r}").response()


def create_app(
    data_dir: Path | None = None,
    *,
    access_token_lifetime: int = 3600,
    processing_delay: float = 2.0,
    public_url: str | None = None,
    allow_remote_control: bool = False,
    control_token: str | None = None,
) -> Starlette:
    """The sandbox app. With data_dir its state (SQLite + blobs) survives restarts; without,
    it lives in a temporary directory removed at shutdown. The control API answers programs
    on this machine only (see control_guard.py); allow_remote_control lifts the loopback
    rules, control_token demands `Authorization: Bearer <token>` on it."""
    settings = Settings(
        access_token_lifetime=access_token_lifetime, processing_delay=processing_delay
    )
    temporary = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="tubefleet-sandbox-")) if temporary else data_dir
    assert directory is not None
    private_dir(directory)  # it holds the database and every uploaded video
    sandbox = Sandbox(directory, settings, public_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            sandbox.close()
            if temporary:
                shutil.rmtree(directory, ignore_errors=True)

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/_sandbox/", control_index, methods=["GET"]),
        Route("/_sandbox", control_index, methods=["GET"]),
        *oauth.routes,
        *token_endpoint.routes,
        *uploads.routes,
        *upload_chunks.routes,
        *thumbnails.routes,
        *youtube_api.routes,
        *playlists_api.routes,
        *analytics_api.routes,
        *media.routes,
        *control_api.routes,
        *inspect_api.routes,
        *stats_api.routes,
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: not_found, Exception: server_error},
    )
    app.add_middleware(ControlGuard, allow_remote=allow_remote_control, token=control_token)
    app.state.sandbox = sandbox
    return app
