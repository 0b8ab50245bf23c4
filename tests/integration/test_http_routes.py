"""The HTTP layer in front of Reflex: login cookie, the login guard, and /healthz."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from app.routes import build_routes
from app.routes.guard import LoginRequired
from core import auth, db
from models import Role

PASSWORD = "correct horse battery"


async def reflex_stand_in(scope: Scope, receive: Receive, send: Send) -> None:
    """Where Reflex's own routes (pages, /_upload) would answer."""
    await PlainTextResponse(f"reflex served {scope['path']}")(scope, receive, send)


@pytest.fixture
def client(database: str) -> Iterator[TestClient]:
    with db.session() as s:
        auth.create_user(session=s, email="ops@example.com", password=PASSWORD, role=Role.OPERATOR)
    routes = build_routes()
    routes.mount("", reflex_stand_in)
    app = LoginRequired(routes)
    # As a reverse proxy on the same machine sees it (loopback: trusted by default).
    with TestClient(app, follow_redirects=False, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


def test_anonymous_page_visit_is_sent_to_login_with_next(client: TestClient) -> None:
    response = client.get("/channels?state=active", headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fchannels%3Fstate%3Dactive"


def test_anonymous_api_call_gets_401(client: TestClient) -> None:
    response = client.post("/_upload", content=b"x")
    assert response.status_code == 401
    assert response.json()["error"] == "login required"


def test_login_sets_an_httponly_samesite_cookie_and_opens_pages(client: TestClient) -> None:
    response = client.post(
        "/auth/login", data={"email": "ops@example.com", "password": PASSWORD, "next": "/uploads"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/uploads"
    set_cookie = response.headers["set-cookie"].lower()
    assert auth.SESSION_COOKIE in set_cookie
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    page = client.get("/uploads", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.text == "reflex served /uploads"


def test_wrong_password_returns_to_login_with_a_reason(client: TestClient) -> None:
    response = client.post(
        "/auth/login",
        data={"email": "ops@example.com", "password": "nope", "next": "https://evil/"},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?error=invalid&next=%2F&")
    assert "set-cookie" not in response.headers


def test_cross_site_login_post_is_refused(client: TestClient) -> None:
    response = client.post(
        "/auth/login",
        data={"email": "ops@example.com", "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_logout_ends_the_session(client: TestClient) -> None:
    client.post("/auth/login", data={"email": "ops@example.com", "password": PASSWORD})
    stolen = dict(client.cookies)
    response = client.post("/auth/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    client.cookies = stolen  # type: ignore[assignment]  # a copied cookie is useless after logout
    assert client.get("/", headers={"accept": "text/html"}).status_code == 303


def test_healthz_is_public_and_reports_database_and_scheduler(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["scheduler"]["in_process"] is False
    assert body["status"] == "degraded"  # no scheduler heartbeat in this test


def test_behind_a_trusted_proxy_the_rate_limit_sees_each_person(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings, reload_settings

    monkeypatch.setenv("TUBEFLEET_TRUSTED_PROXY_HOPS", "1")
    reload_settings()
    try:
        for _ in range(get_settings().login_max_failures):
            client.post(
                "/auth/login",
                data={"email": "someone@example.com", "password": "x"},
                headers={"x-forwarded-for": "198.51.100.1"},
            )
        # Another person behind the same proxy is not locked out by the first one.
        ok = client.post(
            "/auth/login",
            data={"email": "ops@example.com", "password": PASSWORD},
            headers={"x-forwarded-for": "spoofed, 203.0.113.7"},
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/"
        locked = client.post(
            "/auth/login",
            data={"email": "ops@example.com", "password": PASSWORD},
            headers={"x-forwarded-for": "198.51.100.1"},
        )
        assert "ratelimited" in locked.headers["location"]
    finally:
        monkeypatch.delenv("TUBEFLEET_TRUSTED_PROXY_HOPS")
        reload_settings()


def test_a_form_sent_before_the_page_loaded_still_returns_to_next(client: TestClient) -> None:
    response = client.post(
        "/auth/login",
        data={"email": "ops@example.com", "password": PASSWORD, "next": ""},
        headers={"referer": "http://testserver/login/?next=%2Fchannels"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/channels"
    elsewhere = client.post(
        "/auth/login",
        data={"email": "ops@example.com", "password": PASSWORD, "next": ""},
        headers={"referer": "https://evil.example/login?next=%2Fquota"},
    )
    assert elsewhere.headers["location"] == "/"
