"""People and sessions on the served app, as the attack tests need them."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import RunningApp

PASSWORD = "a long admin password"


def person(app: RunningApp, role: str) -> str:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    done = app.cli("user", "add", email, "--role", role, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    return email


def cookie_of(app: RunningApp, email: str) -> str:
    answer = httpx.post(
        f"{app.base_url}/auth/login",
        data={"email": email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and "error" not in answer.headers["location"], answer.text
    value = answer.cookies.get("tubefleet_session")
    assert value
    return f"tubefleet_session={value}"


def emails(app: RunningApp) -> set[str]:
    listed = app.cli("users", "--json")
    assert listed.returncode == 0, listed.stderr
    return {u["email"] for u in json.loads(listed.stdout)}


def wait_until_gone(predicate: Any, seconds: float = 3.0) -> None:
    """Give a (wrongly) accepted event time to land before asserting it did not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.2)


def logged_in_page(browser: Browser, app: RunningApp, email: str) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{app.base_url}/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    return page
