"""Which paths anonymous visitors may reach, and where a login may send them."""

from __future__ import annotations

import pytest

from app.routes.auth import safe_next
from app.routes.guard import is_public


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/healthz",
        "/oauth/callback",
        "/auth/login",
        "/_event/",
        "/assets/index-abc.js",
        "/favicon.ico",
    ],
)
def test_public_paths(path: str) -> None:
    assert is_public(path)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/channels",
        "/uploads/",
        "/quota",
        "/alerts",
        "/settings",
        "/_upload",
        "/_upload/x.js",
        "/auth/logout",
    ],
)
def test_everything_else_needs_login(path: str) -> None:
    assert not is_public(path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/channels", "/channels"),
        ("/uploads?state=failed", "/uploads?state=failed"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_login_only_redirects_within_the_site(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected
