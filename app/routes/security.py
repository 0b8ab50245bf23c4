"""The HTTP edge's own protections: allowed origins, security headers, the client's address.

`Shield` wraps the whole backend (pages, websocket, uploads, our routes):
- a websocket handshake or a state-changing request (POST, PUT, PATCH, DELETE) from a
  page on another origin is refused, whatever cookies it carries: SameSite=Lax lets a
  page on another port or subdomain of the same site ride the session cookie, so the
  cookie alone proves nothing about who sends the request;
- every HTTP answer gets the security headers (CSP with frame-ancestors, nosniff,
  Referrer-Policy, X-Frame-Options, HSTS when served over https).
"""

from __future__ import annotations

from functools import cache
from ipaddress import ip_address
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import get_settings, origin_of

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def origin_allowed(origin: str | None, *, fetch_site: str | None = None) -> bool:
    """May a browser request carrying this Origin (and Sec-Fetch-Site) act on our behalf?

    No Origin at all is a non-browser client (curl, a pipeline): it has no victim's cookies
    to ride, so the session check alone decides. "null" (sandboxed frames, file: pages) is
    never ours.
    """
    if origin is None:
        return fetch_site != "cross-site"
    return origin != "null" and origin_of(origin) in get_settings().origins


def client_address(peer: str, forwarded_for: str) -> str:
    """The person's address: the peer's, unless the peer is a trusted proxy.

    Behind `trusted_proxy_hops` proxies, X-Forwarded-For is read from the right, one entry
    per proxy, and only while each hop is an address listed in `trusted_proxies` (loopback
    by default): a client that writes the header itself, or reaches us directly, cannot
    choose the address the login rate limit counts.
    """
    settings = get_settings()
    chain = [*(p.strip() for p in forwarded_for.split(",") if p.strip()), peer]
    position = len(chain) - 1
    for _ in range(settings.trusted_proxy_hops):
        if position == 0 or not _is_trusted_proxy(chain[position]):
            break
        position -= 1
    return chain[position][:64]


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:  # type: ignore[union-attr]
        ip = ip.ipv4_mapped  # type: ignore[union-attr]
    return any(ip in net for net in get_settings().proxy_networks)


@cache
def _header_block() -> list[tuple[bytes, bytes]]:
    settings = get_settings()
    sandbox = origin_of(settings.sandbox_url)
    sockets = " ".join(o.replace("http", "ws", 1) for o in settings.origins)
    policy = "; ".join(
        [
            "default-src 'self'",
            # The compiled React app boots from a small inline script, and Reflex runs
            # rx.call_script (the browser's time zone) through eval: both are our own code.
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: https: {sandbox}",
            "font-src 'self' data:",
            f"connect-src 'self' {sockets}",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )
    block = [
        (b"content-security-policy", policy.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if settings.public_url.startswith("https://"):
        block.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return block


def forget_cached_headers() -> None:
    """Settings changed (tests): rebuild the header block on next use."""
    _header_block.cache_clear()


class Shield:
    """ASGI middleware: refuse foreign origins, add security headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        checked = scope["type"] == "websocket" or scope.get("method") in UNSAFE_METHODS
        if checked and not origin_allowed(
            headers.get("origin"), fetch_site=headers.get("sec-fetch-site")
        ):
            await _refuse(scope, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = list(message.get("headers", []))
                if _is_html(given):
                    # A page is never kept: after logout, Back must not show the dashboard
                    # from the browser's cache (no-store also keeps it out of bfcache).
                    given = [(n, v) for n, v in given if n.lower() != b"cache-control"]
                    given.append((b"cache-control", b"no-store"))
                present = {name.lower() for name, _ in given}
                extra = [(n, v) for n, v in _header_block() if n not in present]
                message = {**message, "headers": [*given, *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        n.lower() == b"content-type" and v.lower().startswith(b"text/html") for n, v in headers
    )


async def _refuse(scope: Scope, send: Send) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting makes the server answer the handshake with 403.
        await send({"type": "websocket.close", "code": 4403})
        return
    body = b'{"error": "cross-origin request refused"}'
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": 403,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *_header_block(),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})
