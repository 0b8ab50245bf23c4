"""An operator connects a channel through the sandbox's consent page, in Chromium."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, WebSocket, expect

from tests.e2e.conftest import RunningApp, login

OPERATOR = "ops@example.com"
PASSWORD = "operator password 1"


@pytest.fixture(scope="module")
def operator(app_server: RunningApp) -> str:
    result = app_server.cli("user", "add", OPERATOR, "--role", "operator", stdin=PASSWORD + "\n")
    assert result.returncode == 0 or "already exists" in result.stderr, result.stderr
    return OPERATOR


@pytest.fixture
def frames(page: Page) -> Iterator[list[str]]:
    """Everything the server sent the browser over Reflex's websocket."""
    received: list[str] = []

    def watch(ws: WebSocket) -> None:
        ws.on(
            "framereceived",
            lambda payload: received.append(
                payload if isinstance(payload, str) else payload.decode(errors="replace")
            ),
        )

    page.on("websocket", watch)
    yield received


def _connect(page: Page, app: RunningApp, channel_title: str, button: str) -> None:
    page.goto(app.base_url + "/channels")
    page.get_by_test_id("connect-channel").click()
    page.get_by_test_id("connect-continue").click()
    # Google's (here: the sandbox's) consent page.
    page.wait_for_url(re.compile(r"/o/oauth2/"))
    page.get_by_label(re.compile(channel_title)).check()
    page.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(r"/channels/?\?connect="))


def _stored_secrets(app: RunningApp) -> list[str]:
    """Decrypt what the app stored, with the app's own key file, to search for it."""
    from core import db, vault
    from core.settings import reload_settings
    from models import Channel, Project

    os.environ["TUBEFLEET_DATA_DIR"] = str(app.data_dir)
    os.environ["TUBEFLEET_DATABASE_URL"] = f"sqlite:///{app.data_dir / 'tubefleet.db'}"
    reload_settings()
    db.dispose()
    vault.forget_keys()
    with db.read_session() as s:
        found = [vault.decrypt(p.client_secret_enc) for p in s.query(Project).all()]
        for c in s.query(Channel).all():
            found.append(vault.decrypt(c.refresh_token_enc))
            if c.access_token_enc:
                found.append(vault.decrypt(c.access_token_enc))
    return found


def test_operator_connects_a_channel_and_no_secret_reaches_the_browser(
    page: Page, app_server: RunningApp, operator: str, frames: list[str]
) -> None:
    login(page, app_server.base_url, operator, PASSWORD, path="/channels")
    expect(page.get_by_test_id("channel-row")).to_have_count(4)  # the demo's channels
    _connect(page, app_server, "Kids Crafts Studio", "Allow")
    expect(page.get_by_test_id("connect-banner")).to_contain_text("Connected Kids Crafts Studio")
    expect(page.get_by_test_id("channel-row")).to_have_count(5)
    expect(
        page.get_by_test_id("channel-row").filter(has_text="Kids Crafts Studio")
    ).to_contain_text("active")

    secrets = _stored_secrets(app_server)
    assert len(secrets) >= 1 + 2 * 5
    seen = "\n".join(frames) + page.content()
    assert "Kids Crafts Studio" in seen  # the scan looks at the real traffic
    for secret in secrets:
        assert secret not in seen, "a secret reached the browser"


def test_denied_consent_shows_a_message_and_adds_nothing(
    page: Page, app_server: RunningApp, operator: str
) -> None:
    login(page, app_server.base_url, operator, PASSWORD, path="/channels")
    expect(page.get_by_test_id("channel-row").first).to_be_visible()
    before = page.get_by_test_id("channel-row").count()
    assert before >= 4
    _connect(page, app_server, "Sandbox Studio", "Cancel")
    expect(page.get_by_test_id("connect-banner")).to_contain_text("denied")
    expect(page.get_by_test_id("channel-row")).to_have_count(before)
    expect(page.get_by_text("Sandbox Studio", exact=True)).to_have_count(0)


def test_marketers_see_the_pool_but_cannot_connect(page: Page, app_server: RunningApp) -> None:
    app_server.cli(
        "user", "add", "mk@example.com", "--role", "marketer", stdin="marketer password\n"
    )
    login(page, app_server.base_url, "mk@example.com", "marketer password", path="/channels")
    expect(page.get_by_test_id("channel-row").first).to_be_visible()
    expect(page.get_by_test_id("connect-channel")).to_have_count(0)
    # No Reconnect or Edit either: those are operators' (the server refuses them too).
    row = page.get_by_test_id("channel-row").first
    expect(row.get_by_role("button", name="Reconnect")).to_have_count(0)
    expect(row.get_by_test_id("channel-edit")).to_have_count(0)
