"""Login and logout over plain HTTP, so the session cookie can be HttpOnly."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.routes.cookies import session_token
from app.routes.security import client_address, origin_allowed
from core import auth as core_auth
from core import db
from core.settings import get_settings


def safe_next(target: str | None) -> str:
    """Only same-site paths may follow a login (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (Shield does too; login must hold even without it)."""
    return origin_allowed(
        request.headers.get("origin"), fetch_site=request.headers.get("sec-fetch-site")
    )


def _next_from_referer(request: Request) -> str | None:
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.headers.get("host", ""):
        return None
    return parse_qs(referer.query).get("next", [None])[0]


def client_ip(request: Request) -> str:
    """The person's address (X-Forwarded-For only from a trusted proxy)."""
    return client_address(
        request.client.host if request.client else "", request.headers.get("x-forwarded-for", "")
    )


async def login(request: Request) -> Response:
    if not _same_origin(request):
        return JSONResponse({"error": "cross-site login refused"}, status_code=403)
    form = await request.form()
    email = str(form.get("email", ""))
    password = str(form.get("password", ""))
    # A form sent before the page finished loading has no `next` yet: the login page's
    # own address (the Referer) carries it too.
    next_path = safe_next(str(form.get("next", "") or "") or _next_from_referer(request))

    def attempt() -> str:
        return core_auth.login(
            email=email,
            password=password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )

    try:
        token = await run_in_threadpool(attempt)
    except core_auth.RateLimited as exc:
        seconds = max(1, int(exc.retry_after.total_seconds() + 0.999))
        query = urlencode(
            {"error": "ratelimited", "retry": seconds, "next": next_path, "email": email}
        )
        return RedirectResponse(f"/login?{query}", status_code=303)
    except core_auth.LoginRefused:
        query = urlencode({"error": "invalid", "next": next_path, "email": email})
        return RedirectResponse(f"/login?{query}", status_code=303)
    response = RedirectResponse(next_path, status_code=303)
    settings = get_settings()
    response.set_cookie(
        core_auth.SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return JSONResponse({"error": "cross-site logout refused"}, status_code=403)
    token = session_token(request.headers.get("cookie", ""))

    def end() -> None:
        with db.session() as s:
            core_auth.logout(session=s, token=token)

    await run_in_threadpool(end)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(core_auth.SESSION_COOKIE, path="/")
    return response
