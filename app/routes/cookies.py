"""Reading TubeFleet's session cookie from raw headers."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from core.auth import SESSION_COOKIE


def session_token(cookie_header: str) -> str | None:
    """The session token in a Cookie header, if any."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None
