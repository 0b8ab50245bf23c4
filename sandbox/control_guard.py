"""Who may use the control API: programs on this machine, never a web page in its browser."""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox"
# Liveness only: scripts poll it before they know the token (the answer holds no state).
OPEN_PATHS = frozenset({"/_sandbox/health"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Fetch metadata a browser adds by itself; "same-site" includes other ports of localhost.
BROWSER_SITES_ALLOWED = frozenset({"same-origin", "none"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def is_loopback_address(value: str | None) -> bool:
    """127.0.0.0/8, ::1 and their IPv4-mapped IPv6 form; anything that is not an IP, no."""
    try:
        address = ipaddress.ip_address(value or "")
    except ValueError:
        return False
    # Python 3.11 calls ::ffff:127.0.0.1 not loopback; a dual-stack socket reports it so.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def is_loopback_host(value: str | None) -> bool:
    """A Host header naming this machine: localhost or a loopback IP, any port. A page that
    rebinds its own DNS name to 127.0.0.1 still sends its own name, so it is refused."""
    host = (value or "").strip().lower()
    if host.startswith("["):
        name, bracket, port = host[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and port[1:].isdigit())):
            return False
    else:
        name, colon, port = host.partition(":")
        if colon and not port.isdigit():
            return False  # a bare IPv6 address or a second colon: not a valid Host
    return name in LOOPBACK_NAMES or is_loopback_address(name)


def _same_origin(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def refusal(scope: Scope, *, allow_remote: bool, token: str | None) -> tuple[int, str] | None:
    """(status, message) when this control request must be refused, else None."""
    headers = Headers(scope=scope)
    hosts = headers.getlist("host")
    host = hosts[0] if len(hosts) == 1 else ""
    if not allow_remote:
        client = (scope.get("client") or ("",))[0]
        if not is_loopback_address(client):
            return 403, (
                "the control API answers on loopback only (start the sandbox with "
                "--allow-remote-control to change that)"
            )
        if not is_loopback_host(host):
            return 403, (
                "the control API answers only to Host localhost or a loopback "
                f"address, not {host!r} (a DNS-rebinding page sends its own name)"
            )
    origin = headers.get("origin")
    if origin is not None and not _same_origin(origin, host):
        return 403, f"the control API refuses requests from web pages (Origin {origin!r})"
    site = headers.get("sec-fetch-site")
    if site is not None and site.lower() not in BROWSER_SITES_ALLOWED:
        return 403, f"the control API refuses requests from web pages (Sec-Fetch-Site {site})"
    if token and scope["path"] not in OPEN_PATHS:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return 401, "the control API needs Authorization: Bearer <control token>"
    return _content_type_refusal(scope["method"], headers)


def _content_type_refusal(method: str, headers: Headers) -> tuple[int, str] | None:
    """A browser can POST cross-site without asking (no-cors) only as text/plain, a form
    or multipart; demanding application/json puts every such request out of reach. A DELETE
    may come without a body: browsers cannot send one without a CORS preflight."""
    if method in READ_METHODS:
        return None
    has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
    if method == "DELETE" and not has_body:
        return None
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        shown = media_type or "none"
        return 415, (
            f"the control API takes only Content-Type: application/json on "
            f"{method} (got {shown}), so web pages cannot post to it"
        )
    return None


class ControlGuard:
    """ASGI middleware in front of /_sandbox/ (the OAuth and API side stay open: the consent
    page is meant for a browser, possibly on another machine)."""

    def __init__(
        self, app: ASGIApp, *, allow_remote: bool = False, token: str | None = None
    ) -> None:
        self.app = app
        self.allow_remote = allow_remote
        self.token = token or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONTROL_PREFIX):
            refused = refusal(scope, allow_remote=self.allow_remote, token=self.token)
            if refused is not None:
                status, message = refused
                await JSONResponse({"error": message}, status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)
