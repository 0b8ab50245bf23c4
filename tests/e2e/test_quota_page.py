"""The Quota page in a real browser shows, per project and bucket, what `tubefleet quota` counts.

The run command's sandbox mode creates "Sandbox project" with demo channels; the
test adds a few calls through the quota engine against the app's own database,
then compares every gauge's numbers with `tubefleet quota --json`.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ROOT, RunningApp, login

BROWSER_ZONE = ZoneInfo("Europe/Berlin")  # the page fixture's timezone_id

CALLS = """
import sys
from sqlmodel import select
from core import db, quota_ledger
from core.quota import Priority
from models import Channel, Project
with db.read_session() as s:
    project = s.exec(select(Project).where(Project.name == "Sandbox project")).one()
    channel = s.exec(select(Channel).where(Channel.project_id == project.id)).first()
for method in sys.argv[1:]:
    r = quota_ledger.reserve(project=project, method=method, priority=Priority.UPLOAD,
                      channel_id=channel.id)
    quota_ledger.settle(r, "ok")
"""


def make_calls(app: RunningApp, *methods: str) -> None:
    """Charge calls through the quota engine, in the app's database (as uploads would)."""
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", CALLS, *methods],
        cwd=ROOT,
        env=app.env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def cli_quota(app: RunningApp) -> list[dict[str, Any]]:
    done = app.cli("quota", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert isinstance(rows, list)
    return rows


def shown(card: Locator, key: str) -> dict[str, str]:
    return {
        name: card.get_by_test_id(f"quota-{name}-{key}").inner_text()
        for name in ("used", "limit", "reserve", "percent", "level")
    }


def expected(row: dict[str, Any]) -> dict[str, str]:
    return {
        "used": f"{row['used']:,}",
        "limit": f"{row['limit']:,}",
        "reserve": f"{row['reserve']:,}",
        "percent": f"{row['percent']:.1f} %",
        "level": row["level"],
    }


def open_quota(page: Page, app: RunningApp) -> None:
    login(page, app.base_url, *app.desk_admin())
    page.goto(app.base_url + "/quota")
    expect(page.get_by_role("heading", name="Quota", exact=True)).to_be_visible()


def test_every_gauge_shows_the_numbers_tubefleet_quota_prints(
    page: Page, app_server: RunningApp
) -> None:
    make_calls(
        app_server,
        "videos.insert",
        "videos.insert",
        "videos.insert",
        "thumbnails.set",
        "search.list",
    )
    open_quota(page, app_server)

    # Background jobs may spend quota meanwhile: compare a fresh page with a fresh CLI
    # answer until both saw the same moment.
    mismatch: list[Any] = []
    for _ in range(10):
        rows = cli_quota(app_server)
        page.reload()
        cards = page.locator("[data-testid^='quota-gauge-']")
        expect(cards).to_have_count(len(rows))
        mismatch = [
            (
                row["project"],
                row["bucket"],
                shown(
                    page.get_by_test_id(f"quota-gauge-{row['project_id']}-{row['bucket']}"),
                    f"{row['project_id']}-{row['bucket']}",
                ),
                expected(row),
            )
            for row in rows
        ]
        mismatch = [m for m in mismatch if m[2] != m[3]]
        if not mismatch:
            break
        time.sleep(1)
    assert not mismatch, f"page and `tubefleet quota --json` differ: {mismatch}"

    buckets = {(r["project"], r["bucket"]) for r in rows}
    assert {("Sandbox project", b) for b in ("default", "videos.insert", "search.list")} <= buckets
    inserts = next(r for r in rows if r["bucket"] == "videos.insert")
    assert inserts["used"] >= 3 and inserts["limit"] == 100 and inserts["reserve"] == 0
    for row in rows:
        key = f"{row['project_id']}-{row['bucket']}"
        card = page.get_by_test_id(f"quota-gauge-{key}")
        # The gauge itself is a meter of the same numbers: used against the limit.
        meter = card.get_by_role("meter")
        expect(meter).to_have_attribute("aria-valuenow", str(row["used"]))
        expect(meter).to_have_attribute("aria-valuemin", "0")
        expect(meter).to_have_attribute("aria-valuemax", str(row["limit"]))
        expect(meter).to_have_attribute(
            "aria-valuetext", re.compile(rf"^{row['used']:,} of {row['limit']:,} .* used ")
        )
        # The reset: ISO UTC as the CLI prints it, shown in the viewer's zone.
        expect(card).to_have_attribute("data-resets-at", row["resets_at"])
        local = datetime.fromisoformat(row["resets_at"]).astimezone(BROWSER_ZONE)
        expect(card.get_by_test_id(f"quota-resets-{key}")).to_contain_text(
            local.strftime("%H:%M %Z")
        )
        expect(card.get_by_test_id(f"quota-forecast-{key}")).not_to_be_empty()


def test_the_page_updates_itself_and_counts_down_to_the_reset(
    page: Page, app_server: RunningApp
) -> None:
    open_quota(page, app_server)
    row = next(r for r in cli_quota(app_server) if r["bucket"] == "videos.insert")
    key = f"{row['project_id']}-videos.insert"
    used = page.get_by_test_id(f"quota-used-{key}")
    expect(used).to_have_text(f"{row['used']:,}")

    make_calls(app_server, "videos.insert")
    # No reload: the poller brings the new count within its 10-second period.
    expect(used).to_have_text(f"{row['used'] + 1:,}", timeout=25_000)

    countdown = page.get_by_test_id("quota-countdown")
    expect(countdown).to_have_text(re.compile(r"^\d+ h \d\d min \d\d s$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=5_000)
    h, m, s = (int(n) for n in re.findall(r"\d+", countdown.inner_text()))
    left = h * 3600 + m * 60 + s
    reset = datetime.fromisoformat(row["resets_at"])
    expected_left = (reset - datetime.now(reset.tzinfo)).total_seconds()
    assert abs(left - expected_left) < 90, (left, expected_left)
    local = reset.astimezone(BROWSER_ZONE).strftime("%H:%M %Z")
    expect(page.get_by_test_id("quota-reset-local")).to_contain_text(local)


def test_chart_breakdown_and_where_limits_are_set(page: Page, app_server: RunningApp) -> None:
    make_calls(app_server, "videos.update", "videos.update")
    open_quota(page, app_server)
    expect(page.get_by_test_id("quota-hourly-chart").locator(".js-plotly-plot")).to_be_visible()
    # One subplot per bucket of the sandbox project.
    expect(
        page.get_by_test_id("quota-hourly-chart").locator("g.cartesianlayer .subplot")
    ).to_have_count(3)
    methods = page.get_by_test_id("quota-method-row")
    expect(methods.filter(has_text="videos.update")).to_have_count(1)
    row = methods.filter(has_text="videos.update")
    cells = row.get_by_role("cell")
    expect(cells.nth(1)).to_have_text("Sandbox project")
    expect(cells.nth(2)).to_have_text("Shared bucket")
    calls = int(cells.nth(3).inner_text().replace(",", ""))
    assert calls >= 2
    expect(cells.nth(4)).to_have_text(f"{calls * 50:,} units")  # 50 units per call
    expect(page.get_by_test_id("quota-channel-row").first).to_be_visible()
    note = page.get_by_test_id("quota-limits-note")
    expect(note).to_contain_text("set per project in Settings")
    expect(note.get_by_role("link", name="Settings")).to_have_attribute("href", "/settings")
