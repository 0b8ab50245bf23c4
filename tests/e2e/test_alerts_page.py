"""The Alerts page in a real browser: an alert raised by core is acknowledged, muted and
resolved by a person, and the page (and `tubefleet alerts`) say who did it and when."""

from __future__ import annotations

import json
import secrets
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ROOT, RunningApp, login

BROWSER_ZONE = ZoneInfo("Europe/Berlin")  # the page fixture's timezone_id

RAISE = """
import sys
from sqlmodel import select
from core import alerts, db
from models import Channel, Project, Severity
kind, severity, subject = sys.argv[1:4]
with db.session() as s:
    project = s.exec(select(Project).where(Project.name == "Sandbox project")).one()
    channel = s.exec(select(Channel).where(Channel.project_id == project.id)
                     .order_by(Channel.title)).first()
    alerts.raise_alert(session=s, kind=kind, severity=Severity(severity), subject=subject,
                       message="raised by the browser test", project_id=project.id,
                       channel_id=channel.id)
print(channel.title)
"""


def raise_alert(
    app: RunningApp, severity: str = "warning", kind: str = "upload.stuck"
) -> tuple[str, str]:
    """Raise an alert through core against the app's database; returns (subject, channel)."""
    subject = f"Upload stuck {uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", RAISE, kind, severity, subject],
        cwd=ROOT,
        env=app.env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return subject, done.stdout.strip()


def cli_alert(app: RunningApp, subject: str, status: str = "all") -> dict[str, Any]:
    done = app.cli("alerts", "--json", "--status", status, "--project", "Sandbox project")
    assert done.returncode == 0, done.stderr
    found = [a for a in json.loads(done.stdout) if a["subject"] == subject]
    assert len(found) == 1, f"{subject!r} not listed with --status {status}"
    return found[0]


def local_hm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(BROWSER_ZONE).strftime("%H:%M %Z")


def row_of(page: Page, subject: str) -> Locator:
    return page.get_by_test_id("alert-row").filter(has_text=subject)


def choose(page: Page, which: str, option: str) -> None:
    page.get_by_test_id(f"alerts-filter-{which}").click()
    page.get_by_role("option", name=option, exact=True).click()


OPERATOR, OPERATOR_PASSWORD = "alerts-ops@example.com", "operator password 2"


@pytest.fixture(scope="module")
def operator(app_server: RunningApp) -> str:
    """Someone who reviews alerts (the printed admin has only a one-time password)."""
    done = app_server.cli(
        "user", "add", OPERATOR, "--role", "operator", stdin=OPERATOR_PASSWORD + "\n"
    )
    assert done.returncode == 0 or "already exists" in done.stderr, done.stderr
    return OPERATOR


def test_acknowledge_then_resolve_shows_who_and_when(
    page: Page, app_server: RunningApp, operator: str
) -> None:
    subject, channel = raise_alert(app_server)
    assert cli_alert(app_server, subject, "open")["status"] == "open"
    login(page, app_server.base_url, operator, OPERATOR_PASSWORD)
    page.goto(app_server.base_url + "/alerts")

    row = row_of(page, subject)
    expect(row.get_by_test_id("alert-status")).to_have_text("open")
    expect(row).to_contain_text("Sandbox project")
    expect(row).to_contain_text(channel)
    expect(row.get_by_test_id("alert-occurrences")).to_have_text("1")

    row.get_by_test_id("alert-acknowledge").click()
    expect(row.get_by_test_id("alert-status")).to_have_text("acknowledged")
    acked = cli_alert(app_server, subject, "acknowledged")
    assert acked["acknowledged_by"] == operator
    expect(row.get_by_test_id("alert-acknowledged")).to_have_text(
        f"Acknowledged by {operator} at {local_hm(acked['acknowledged_at'])}"
    )
    expect(row.get_by_test_id("alert-acknowledge")).to_have_count(0)

    row.get_by_test_id("alert-resolve").click()
    # The default view lists what is not resolved: the alert leaves it.
    expect(row_of(page, subject)).to_have_count(0)
    choose(page, "status", "Resolved")
    row = row_of(page, subject)
    expect(row.get_by_test_id("alert-status")).to_have_text("resolved")
    resolved = cli_alert(app_server, subject, "resolved")
    assert resolved["resolved_by"] == operator
    assert resolved["acknowledged_by"] == operator
    expect(row.get_by_test_id("alert-resolved")).to_have_text(
        f"Resolved by {operator} at {local_hm(resolved['resolved_at'])}"
    )
    expect(row.get_by_test_id("alert-acknowledged")).to_be_visible()
    expect(row.get_by_test_id("alert-resolve")).to_have_count(0)


def test_mute_for_hours_shows_a_badge_and_refuses_bad_input(
    page: Page, operator: str, app_server: RunningApp
) -> None:
    subject, _ = raise_alert(app_server, severity="critical", kind="token.dead")
    login(page, app_server.base_url, operator, OPERATOR_PASSWORD)
    page.goto(app_server.base_url + "/alerts")
    row = row_of(page, subject)
    expect(row.get_by_test_id("alert-muted")).to_have_count(0)

    row.get_by_test_id("alert-mute").click()
    page.get_by_test_id("mute-hours").fill("0")
    page.get_by_test_id("mute-save").click()
    expect(page.get_by_test_id("mute-error")).to_contain_text("between 0 and 720")
    page.get_by_test_id("mute-hours").fill("2")
    page.get_by_test_id("mute-save").click()
    expect(page.get_by_test_id("mute-save")).to_have_count(0)

    expect(row.get_by_test_id("alert-muted")).to_be_visible()
    muted = cli_alert(app_server, subject, "open")
    assert muted["muted"] is True and muted["muted_by"] == operator
    until = datetime.fromisoformat(muted["muted_until"])
    assert abs(until - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=2)
    muted_by = row.get_by_test_id("alert-muted-by")
    expect(muted_by).to_contain_text("Muted until ")
    expect(muted_by).to_contain_text(f"{local_hm(muted['muted_until'])} by {operator}")

    # "Hide muted" leaves it out; a severity filter shows only what it names.
    page.get_by_test_id("alerts-hide-muted").click()
    expect(row_of(page, subject)).to_have_count(0)
    page.get_by_test_id("alerts-hide-muted").click()
    expect(row_of(page, subject)).to_have_count(1)
    choose(page, "severity", "warning")
    expect(row_of(page, subject)).to_have_count(0)
    choose(page, "severity", "critical")
    expect(row_of(page, subject)).to_have_count(1)

    # Unmute ends the mute at once: the badge goes, Mute comes back, it counts as open again.
    row = row_of(page, subject)
    expect(row.get_by_test_id("alert-mute")).to_have_count(0)
    row.get_by_test_id("alert-unmute").click()
    expect(row.get_by_test_id("alert-muted")).to_have_count(0)
    expect(row.get_by_test_id("alert-mute")).to_be_visible()
    assert cli_alert(app_server, subject, "open")["muted"] is False


def test_marketers_read_alerts_but_cannot_change_them(page: Page, app_server: RunningApp) -> None:
    subject, _ = raise_alert(app_server)
    email = f"marketer-{uuid.uuid4().hex[:6]}@example.com"
    password = secrets.token_urlsafe(16)
    added = app_server.cli("user", "add", email, "--role", "marketer", stdin=password + "\n")
    assert added.returncode == 0, added.stderr
    login(page, app_server.base_url, email, password)
    page.goto(app_server.base_url + "/alerts")

    row = row_of(page, subject)
    expect(row.get_by_test_id("alert-status")).to_have_text("open")
    for action in ("alert-acknowledge", "alert-resolve", "alert-mute"):
        expect(row.get_by_test_id(action)).to_have_count(0)
    expect(page.get_by_text("Operators and admins acknowledge")).to_be_visible()
