"""ASGI middleware: every page and backend route needs a logged-in user, except a few."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.routes.cookies import session_token
from core import auth, db

# Open to anonymous visitors: the login page and its form, health, the OAuth callback
# (it checks its own single-use state), Reflex's websocket (every state handler checks
# the session itself) and its ping, and the compiled frontend's static files.
PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/login/",
        "/healthz",
        "/auth/login",
        "/oauth/callback",
        "/ping",
        "/_health",
        "/favicon.ico",
        "/404.html",
    }
)
PUBLIC_PREFIXES = ("/_event", "/assets/", "/__reflex/")
STATIC_SUFFIXES = (
    ".js",
    ".mjs",
    ".css",
    ".map",
    ".ico",
    ".png",
    ".svg",
    ".jpg",
    ".webp",
    ".woff",
    ".woff2",
    ".ttf",
    ".json",
    ".txt",
    ".xml",
    ".webmanifest",
    ".gz",
)


def is_public(path: str) -> bool:
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return True
    # Compiled frontend files, but never the upload endpoint or anything under it.
    return path.endswith(STATIC_SUFFIXES) and not path.startswith("/_upload")


def _user_for(token: str | None) -> auth.CurrentUser | None:
    if not token:
        return None
    with db.read_session() as s:
        return auth.user_for_token(session=s, token=token)


class LoginRequired:
    """Redirects anonymous page visits to /login; answers 401 to anonymous API calls."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        user = await run_in_threadpool(_user_for, session_token(headers.get("cookie", "")))
        if user is not None:
            if scope["path"].startswith("/_upload") and not await _upload_is_own(headers):
                body = json.dumps(
                    {"error": "this upload belongs to another session; reload the page"}
                ).encode()
                await _respond(send, 403, body, [(b"content-type", b"application/json")])
                return
            scope.setdefault("state", {})["user"] = user
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        await _refuse(scope, headers, send)


async def _upload_is_own(headers: Headers) -> bool:
    """An upload drives the form of the tab whose client token it names: only that tab's
    own session may (Reflex checks no cookie on /_upload)."""
    from app.app import app as reflex_app  # the running app; imported late (it imports us)
    from app.states.guard import upload_allowed

    return await upload_allowed(
        reflex_app, headers.get("reflex-client-token", ""), headers.get("cookie", "")
    )


async def _refuse(scope: Scope, headers: Headers, send: Send) -> None:
    wants_page = scope.get("method") == "GET" and "text/html" in headers.get("accept", "")
    if wants_page:
        target = scope["path"] + (
            f"?{scope['query_string'].decode()}" if scope.get("query_string") else ""
        )
        location = f"/login?next={quote(target, safe='')}"
        await _respond(send, 303, b"", [(b"location", location.encode())])
        return
    body = json.dumps({"error": "login required", "login": "/login"}).encode()
    await _respond(send, 401, body, [(b"content-type", b"application/json")])


async def _respond(send: Send, status: int, body: bytes, headers: list[Any]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *headers,
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
