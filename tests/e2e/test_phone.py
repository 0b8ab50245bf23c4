"""Every page at phone width (390 x 844): nothing scrolls sideways, and the navigation folds
into a menu that still reaches every page. With TUBEFLEET_SHOTS=<folder> it also saves a
screenshot of each page at 390 and 1440 px, for people to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PAGES, RunningApp, login

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}
OPS, OPS_PASSWORD = "phone-ops@example.com", "phone operator password 3"


@pytest.fixture(scope="module")
def ops(app_server: RunningApp) -> str:
    added = app_server.cli("user", "add", OPS, "--role", "admin", stdin=OPS_PASSWORD + "\n")
    assert added.returncode == 0 or "exists" in added.stderr, added.stderr
    return OPS


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, timezone_id="Europe/Berlin", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _sideways(page: Page) -> int:
    """How far the page scrolls sideways (0: it does not)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def _shoot(page: Page, name: str) -> None:
    folder = os.environ.get("TUBEFLEET_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_no_page_scrolls_sideways_on_a_phone(phone: Page, app_server: RunningApp, ops: str) -> None:
    login(phone, app_server.base_url, ops, OPS_PASSWORD)
    wide = {}
    for path in PAGES:
        phone.goto(app_server.base_url + path)
        expect(phone.get_by_test_id("nav-open")).to_be_visible()
        phone.wait_for_load_state("networkidle")
        phone.wait_for_timeout(500)  # the first poll's data is in
        wide[path] = _sideways(phone)
        _shoot(phone, f"phone{path.replace('/', '-') or '-'}")
    assert wide == {path: 0 for path in PAGES}


def test_the_phone_menu_reaches_every_page(phone: Page, app_server: RunningApp, ops: str) -> None:
    login(phone, app_server.base_url, ops, OPS_PASSWORD)
    expect(phone.get_by_test_id("nav-overview")).to_be_hidden()  # the sidebar is folded away
    for path in PAGES[1:]:
        phone.get_by_test_id("nav-open").click()
        drawer = phone.get_by_test_id("nav-drawer")
        expect(drawer).to_be_visible()
        name = path.strip("/")
        drawer.get_by_test_id(f"nav-{name}").click()
        phone.wait_for_url(f"**{path}")
        expect(drawer).to_be_hidden()


def test_the_desk_keeps_its_sidebar(page: Page, app_server: RunningApp, ops: str) -> None:
    page.set_viewport_size(DESK)
    login(page, app_server.base_url, ops, OPS_PASSWORD)
    expect(page.get_by_test_id("nav-open")).to_be_hidden()
    for path in PAGES:
        page.goto(app_server.base_url + path)
        expect(page.get_by_test_id("nav-channels")).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        assert _sideways(page) == 0, path
        _shoot(page, f"desk{path.replace('/', '-') or '-'}")


def test_dark_mode_follows_the_browser_and_the_switch(
    browser: Browser, app_server: RunningApp, ops: str
) -> None:
    context = browser.new_context(viewport=DESK, color_scheme="dark", timezone_id="Europe/Berlin")
    page = context.new_page()
    try:
        login(page, app_server.base_url, ops, OPS_PASSWORD)
        dark = "document.documentElement.classList.contains('dark')"
        page.wait_for_function(dark)
        for path in PAGES:
            page.goto(app_server.base_url + path)
            page.wait_for_function(dark)
            page.wait_for_load_state("networkidle")
            _shoot(page, f"dark{path.replace('/', '-') or '-'}")
        page.get_by_test_id("color-mode").click()  # someone prefers light after all
        page.wait_for_function(f"!{dark}")
        page.reload()
        page.wait_for_function(f"!{dark}")  # and it stays so
    finally:
        context.close()
