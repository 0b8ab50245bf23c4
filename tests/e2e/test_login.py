"""A newcomer's first minutes: every page needs login; the printed admin gets the Overview."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PAGES, RunningApp, login


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visit_lands_on_login(page: Page, app_server: RunningApp, path: str) -> None:
    page.goto(app_server.base_url + path)
    expect(page).to_have_url(re.compile(r"/login/?\?next="))
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    expect(page.get_by_test_id("heartbeat-age")).to_have_count(0)


def test_printed_admin_sees_overview_with_a_live_heartbeat(
    page: Page, app_server: RunningApp
) -> None:
    login(page, app_server.base_url, app_server.admin_email, app_server.admin_password)
    # The README's first run: the printed password is one-time; set your own first.
    expect(page.get_by_text("Set your own password first")).to_be_visible()
    page.get_by_test_id("password-first").click()
    page.locator("input[name=current_password]").fill(app_server.admin_password)
    page.locator("input[name=new_password]").fill("printed admin's own 42")
    page.locator("input[name=confirm_password]").fill("printed admin's own 42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()
    page.get_by_test_id("nav-overview").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_test_id("user-email")).to_have_text(app_server.admin_email)
    expect(page.get_by_test_id("scheduler-status")).to_have_text("running")
    expect(page.get_by_test_id("heartbeat-age")).to_have_text(re.compile(r"^\d+ s ago$"))
    # Live: the page refreshes itself; the tick count grows without a reload.
    ticks = page.get_by_test_id("worker-ticks").first
    first = int(ticks.inner_text())
    expect(ticks).not_to_have_text(str(first), timeout=15_000)
    assert int(ticks.inner_text()) > first


def test_wrong_password_shows_a_message_and_stays_on_login(
    page: Page, app_server: RunningApp
) -> None:
    login_url = app_server.base_url + "/login"
    page.goto(login_url)
    page.get_by_test_id("login-email").fill(app_server.admin_email)
    page.get_by_test_id("login-password").fill("definitely not it")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(re.compile(r"/login"))


def test_logout_closes_the_pages_again(page: Page, app_server: RunningApp) -> None:
    login(page, app_server.base_url, *app_server.desk_admin(), path="/quota")
    expect(page).to_have_url(re.compile(r"/quota/?$"))
    served = page.goto(app_server.base_url + "/quota")
    # The browser keeps no copy of a page: Back after logout cannot show it again.
    assert served is not None and served.headers.get("cache-control") == "no-store"
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(app_server.base_url + "/alerts")
    expect(page).to_have_url(re.compile(r"/login/?\?next="))


def test_a_one_time_password_must_be_replaced_before_changing_anything(
    page: Page, app_server: RunningApp
) -> None:
    email = "second-admin@example.com"
    app_server.cli("user", "add", email, "--role", "admin", stdin="first password 123\n")
    reset = app_server.cli("user", "reset-password", email, "--generate")
    one_time = reset.stdout.rsplit(":", 1)[1].strip()
    login(page, app_server.base_url, email, one_time, path="/quota")
    # Every page but Settings shows only the way to a password of one's own.
    expect(page.get_by_text("Set your own password first")).to_be_visible()
    expect(page.get_by_test_id("quota-reset-local")).to_have_count(0)
    page.get_by_test_id("password-first").click()
    expect(page).to_have_url(re.compile(r"/settings/?$"))
    expect(page.get_by_text("Set your own password first")).to_have_count(0)
    expect(page.get_by_text("You signed in with a one-time password")).to_be_visible()

    page.get_by_placeholder("name@company.com").fill("newcomer@example.com")
    page.get_by_placeholder("first password (10+ characters)").fill("newcomer password")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("set your own password on the Settings page first")).to_be_visible()
    listed = app_server.cli("users", "--json").stdout
    assert "newcomer@example.com" not in listed

    page.locator("input[name=current_password]").fill(one_time)
    page.locator("input[name=new_password]").fill("my own password 456")
    page.locator("input[name=confirm_password]").fill("my own password 456")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()
    expect(page.get_by_text("You signed in with a one-time password")).to_have_count(0)
    page.get_by_placeholder("name@company.com").fill("newcomer@example.com")
    page.get_by_placeholder("first password (10+ characters)").fill("newcomer password")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Added newcomer@example.com")).to_be_visible()
    page.goto(app_server.base_url + "/quota")
    expect(page.get_by_text("Set your own password first")).to_have_count(0)
