"""The HTTP edge as an attacker meets it: plain HTTP against the real middleware stack
(origin shield, login guard, our routes) and a real migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from app.routes import build_routes
from core import auth, db
from core.settings import get_settings, reload_settings
from models import Role

PASSWORD = "correct horse battery"
OURS = "http://localhost:3000"  # the default TUBEFLEET_PUBLIC_URL


async def reflex_stand_in(scope: Scope, receive: Receive, send: Send) -> None:
    """Where Reflex's own routes (pages, /_upload) would answer."""
    await PlainTextResponse(f"reflex served {scope['path']}")(scope, receive, send)


def edge(peer: str = "127.0.0.1") -> TestClient:
    """The app's own HTTP stack, built as Reflex builds it from `api_transformer`, with a
    stand-in where Reflex's routes would be."""
    from app.app import app as reflex_app

    asgi: Any = reflex_stand_in
    for transform in reflex_app.api_transformer:  # type: ignore[union-attr]
        if isinstance(transform, Starlette):
            routes = build_routes()
            routes.mount("", asgi)
            asgi = routes
        else:
            asgi = transform(asgi)
    return TestClient(asgi, follow_redirects=False, client=(peer, 50000))


def forget_cached_headers() -> None:
    try:
        from app.routes.security import forget_cached_headers as forget
    except ImportError:  # before the fix there was nothing to forget
        return
    forget()


@pytest.fixture
def people(database: str) -> Iterator[None]:
    with db.session() as s:
        auth.create_user(session=s, email="ops@example.com", password=PASSWORD, role=Role.OPERATOR)
    forget_cached_headers()
    yield
    forget_cached_headers()


def log_in(
    client: TestClient, email: str = "ops@example.com", password: str = PASSWORD, **headers: str
) -> str:
    response = client.post(
        "/auth/login", data={"email": email, "password": password}, headers=headers
    )
    return response.headers.get("location", "")


# --- origins -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:3001", "http://evil.localhost:3000", "null", "https://localhost:3000"],
)
def test_a_foreign_origin_cannot_post_with_the_cookie(people: None, origin: str) -> None:
    with edge() as client:
        assert log_in(client) == "/"
        for path in ("/_upload", "/auth/logout", "/auth/login"):
            refused = client.post(path, content=b"x", headers={"origin": origin})
            assert refused.status_code == 403, (path, refused.status_code)
        # The session was not ended by the cross-site logout.
        assert client.get("/uploads", headers={"accept": "text/html"}).status_code == 200


def test_a_cross_site_fetch_without_origin_is_refused(people: None) -> None:
    with edge() as client:
        log_in(client)
        refused = client.post("/_upload", content=b"x", headers={"sec-fetch-site": "cross-site"})
        assert refused.status_code == 403


def test_our_own_origin_may_post(people: None) -> None:
    with edge() as client:
        assert log_in(client, origin=OURS) == "/"


# --- security headers ---------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(people: None) -> None:
    with edge() as client:
        for response in (
            client.get("/login"),
            client.get("/healthz"),
            client.post("/auth/login", data={"email": "x@y.z", "password": "n"}),
        ):
            csp = response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "same-origin"
            assert "strict-transport-security" not in response.headers  # plain http


def test_hsts_when_served_over_https(people: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUBEFLEET_PUBLIC_URL", "https://fleet.example.com")
    reload_settings()
    forget_cached_headers()
    try:
        with edge() as client:
            hsts = client.get("/healthz").headers["strict-transport-security"]
            assert "max-age=31536000" in hsts
    finally:
        monkeypatch.delenv("TUBEFLEET_PUBLIC_URL")
        reload_settings()
        forget_cached_headers()


# --- the client's address -----------------------------------------------------------------


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a proxy configured, someone reaching the app directly cannot pick the address
    the rate limit counts: not to dodge it, not to lock out somebody else's address."""
    monkeypatch.setenv("TUBEFLEET_TRUSTED_PROXY_HOPS", "1")
    reload_settings()
    victim_address = "198.51.100.1"
    try:
        with edge(peer="203.0.113.66") as attacker:  # not a trusted proxy
            for n in range(get_settings().login_max_failures + 3):
                log_in(
                    attacker,
                    email=f"guess{n}@example.com",
                    password="x",
                    **{"x-forwarded-for": victim_address},
                )
            # The attacker's own address is the one limited…
            assert "ratelimited" in log_in(attacker, **{"x-forwarded-for": "192.0.2.9"})
        # …and the victim, arriving through the real proxy, is not.
        with edge(peer="127.0.0.1") as proxy:
            assert log_in(proxy, **{"x-forwarded-for": victim_address}) == "/"
    finally:
        monkeypatch.delenv("TUBEFLEET_TRUSTED_PROXY_HOPS")
        reload_settings()


# --- health -------------------------------------------------------------------------------


def test_healthz_tells_anonymous_callers_no_host_or_process(people: None) -> None:
    from core import heartbeat, lease

    with db.session() as s:
        from core import clock

        heartbeat.beat(
            session=s, worker_id=lease.process_owner(), kind="web", started_at=clock.now()
        )
    host_and_pid = lease.process_owner().rsplit(":", 1)[0]
    with edge() as client:
        anonymous = client.get("/healthz")
        assert anonymous.status_code == 200
        assert host_and_pid not in anonymous.text
        assert anonymous.json()["scheduler"]["alive_workers"] == 1
        log_in(client)
        assert host_and_pid in client.get("/healthz").text


def test_pages_are_never_cached_so_back_after_logout_shows_nothing(people: None) -> None:
    """A page the browser kept would show the dashboard again after logout (Back, bfcache);
    assets may still be cached."""
    from starlette.responses import Response

    from app.routes.security import Shield

    async def static_server(scope: Scope, receive: Receive, send: Send) -> None:
        html = scope["path"] == "/quota/"
        response = Response(
            "<html>quota</html>" if html else "js",
            media_type="text/html; charset=utf-8" if html else "text/javascript",
            headers={"cache-control": "public, max-age=3600"},
        )
        await response(scope, receive, send)

    client = TestClient(Shield(static_server))
    page = client.get("/quota/")
    asset = client.get("/_next/static/chunk.js")
    assert page.headers.get_list("cache-control") == ["no-store"]
    assert asset.headers["cache-control"] == "public, max-age=3600"
