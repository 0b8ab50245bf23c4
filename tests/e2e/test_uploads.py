"""A marketer schedules an upload in the browser and watches it reach YouTube (the sandbox)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from core import clock
from core.process import CLOCK_OFFSET_FILE
from sandbox.control import SandboxControl
from tests.e2e.conftest import RunningApp, login
from tests.integration.world import fake_video, md5_of, tiny_png

MARKETER = "marketer@example.com"
PASSWORD = "marketer password 1"


def test_marketer_schedules_a_video_and_it_gets_published(
    page: Page, app_server: RunningApp, tmp_path: Path
) -> None:
    app_server.cli("user", "add", MARKETER, "--role", "marketer", stdin=PASSWORD + "\n")
    video = fake_video(tmp_path / "product-launch.mp4", 3 * 1024 * 1024 + 4321)
    thumb = tiny_png(tmp_path / "cover.png")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, app_server.base_url, MARKETER, PASSWORD, path="/uploads")

    page.locator("[data-testid=drop-video] input[type=file]").set_input_files(str(video))
    page.locator("[data-testid=drop-thumb] input[type=file]").set_input_files(str(thumb))
    expect(page.get_by_test_id("video-ready")).to_contain_text("product-launch.mp4")
    expect(page.get_by_test_id("thumb-ready")).to_have_text("cover.png")
    page.get_by_test_id("field-title").fill("Product launch")
    page.get_by_test_id("field-playlist").fill("Launches")
    page.get_by_test_id("field-when").fill("in 1 minute")
    # The interpreted time, in the viewer's zone (the browser is in Berlin) and in UTC.
    expected = clock.now() + timedelta(minutes=1)
    shown = page.get_by_test_id("when-display")
    # UTC in brackets, with its date too when that differs (around midnight).
    expect(shown).to_contain_text(re.compile(r"CET \((\w{3} \d{1,2} \w{3} )?\d\d:\d\d UTC\)"))
    berlin = expected.astimezone(ZoneInfo("Europe/Berlin"))
    assert (
        berlin.strftime("%H:%M") in shown.inner_text()
        or (berlin + timedelta(minutes=1)).strftime("%H:%M") in shown.inner_text()
    )
    page.get_by_test_id("schedule-submit").click()
    row = page.get_by_test_id("job-row").filter(has_text="Product launch")
    expect(row.get_by_test_id("job-state")).to_have_text("scheduled")

    # Move the app's clock past the due time instead of waiting a minute.
    clock.write_offset_file(app_server.data_dir / CLOCK_OFFSET_FILE, timedelta(seconds=70))
    expect(row.get_by_test_id("job-state")).to_have_text("uploaded (private)", timeout=60_000)
    video_id = row.get_by_test_id("job-video").inner_text()
    # A real bar, full: the value reaches it as a number (as text it would stay
    # indeterminate and log an error).
    bar = row.get_by_test_id("job-progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(bar).to_have_attribute("data-state", "complete")

    with SandboxControl(app_server.env["TUBEFLEET_SANDBOX_URL"]) as control:
        matching = [v for v in control.videos() if v["title"] == "Product launch"]
    assert len(matching) == 1
    stored = matching[0]
    assert stored["id"] == video_id
    assert stored["md5"] == md5_of(video)
    assert stored["thumbnail"] is not None and stored["thumbnail"]["content_type"] == "image/png"
    assert len(stored["playlists"]) == 1
    assert errors == [], errors  # the console stayed clean through the whole flow


def test_bad_input_shows_field_errors_and_schedules_nothing(
    page: Page, app_server: RunningApp
) -> None:
    app_server.cli("user", "add", MARKETER, "--role", "marketer", stdin=PASSWORD + "\n")
    login(page, app_server.base_url, MARKETER, PASSWORD, path="/uploads")
    jobs_before = json.loads(app_server.cli("jobs", "--json").stdout)
    page.get_by_test_id("field-title").fill("Broken <title>")
    page.get_by_test_id("field-when").fill("03/04/2027 10:00")
    expect(page.get_by_test_id("error-when")).to_contain_text("YYYY-MM-DD")
    page.get_by_test_id("schedule-submit").click()
    expect(page.get_by_test_id("error-file")).to_contain_text("choose a video file")
    expect(page.get_by_test_id("error-title")).to_contain_text("<")
    assert json.loads(app_server.cli("jobs", "--json").stdout) == jobs_before


def test_a_double_clicked_publish_at_upload_is_scheduled_once_and_the_form_starts_over(
    page: Page, app_server: RunningApp, tmp_path: Path
) -> None:
    email, password = "planner@example.com", "planner password 1"
    app_server.cli("user", "add", email, "--role", "marketer", stdin=password + "\n")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, app_server.base_url, email, password, path="/uploads")
    video = fake_video(tmp_path / "teaser.mp4", 512 * 1024)
    page.locator("[data-testid=drop-video] input[type=file]").set_input_files(str(video))
    expect(page.get_by_test_id("video-ready")).to_contain_text("teaser.mp4")
    page.get_by_test_id("field-title").fill("Friday teaser")
    page.get_by_test_id("field-privacy").click()
    page.get_by_role("option", name="public", exact=True).click()
    page.locator("button[role=radio][value=publish_at]").click()
    page.get_by_test_id("field-when").fill("in 2 hours")
    expect(page.get_by_test_id("when-display")).to_contain_text("CET")

    page.get_by_test_id("schedule-submit").dblclick()
    done = page.locator("[data-sonner-toast][data-type=success]")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("Scheduled “Friday teaser”")
    expect(done).to_contain_text("private until then, public at that time")
    expect(page.locator("[data-sonner-toast][data-type=error]")).to_have_count(0)
    page.wait_for_timeout(1500)  # a second submit would have answered by now
    expect(page.locator("[data-sonner-toast][data-type=error]")).to_have_count(0)
    expect(page.get_by_test_id("job-row").filter(has_text="Friday teaser")).to_have_count(1)

    # Nothing of that upload carries into the next one.
    expect(page.get_by_test_id("field-title")).to_have_value("")
    expect(page.get_by_test_id("field-when")).to_have_value("now")
    expect(page.get_by_test_id("field-privacy")).to_contain_text("private")
    expect(page.locator("button[role=radio][value=upload_at]")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(page.get_by_test_id("video-ready")).to_have_count(0)
    assert errors == [], errors


def test_a_failed_job_is_edited_and_retried_to_published(
    page: Page, app_server: RunningApp, tmp_path: Path
) -> None:
    email, password = "fixer@example.com", "fixer password 1"
    app_server.cli("user", "add", email, "--role", "marketer", stdin=password + "\n")
    with SandboxControl(app_server.env["TUBEFLEET_SANDBOX_URL"]) as control:
        control.add_fault(
            "status", method="videos.insert", status=400, reason="invalidTitle", message="no"
        )
    login(page, app_server.base_url, email, password, path="/uploads")
    video = fake_video(tmp_path / "fix-me.mp4", 512 * 1024)
    page.locator("[data-testid=drop-video] input[type=file]").set_input_files(str(video))
    expect(page.get_by_test_id("video-ready")).to_contain_text("fix-me.mp4")
    page.get_by_test_id("field-title").fill("Refused title")
    page.get_by_test_id("schedule-submit").click()
    row = page.get_by_test_id("job-row").filter(has_text="Refused title")
    expect(row.get_by_test_id("job-state")).to_have_text("failed", timeout=60_000)

    row.get_by_test_id("job-edit").click()
    title = page.get_by_test_id("edit-title")
    expect(title).to_have_value("Refused title")
    title.fill("A <b>ad</b> title")
    page.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("error-title")).to_be_visible()
    expect(title).to_have_value("A <b>ad</b> title")  # what was typed stays
    title.fill("Fixed title")
    page.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("edit-save")).to_have_count(0)
    row = page.get_by_test_id("job-row").filter(has_text="Fixed title")
    row.get_by_role("button", name="Retry").click()
    expect(row.get_by_test_id("job-state")).to_have_text("uploaded (private)", timeout=60_000)
    with SandboxControl(app_server.env["TUBEFLEET_SANDBOX_URL"]) as control:
        assert [v["title"] for v in control.videos() if v["title"] == "Fixed title"] == [
            "Fixed title"
        ]


def test_search_the_queue_and_cancel_three_jobs_at_once(
    page: Page, app_server: RunningApp, tmp_path: Path
) -> None:
    ids = []
    for n in range(3):
        video = fake_video(tmp_path / f"bulk-{n}.mp4", 256 * 1024, seed=n + 7)
        made = app_server.cli(
            "upload", str(video), "--title", f"Bulk teaser {n}", "--at", "tomorrow 9am", "--json"
        )
        assert made.returncode == 0, made.stderr
        ids += json.loads(made.stdout)["job_ids"]
    login(page, app_server.base_url, *app_server.desk_admin(), path="/uploads")
    page.get_by_test_id("queue-search").fill("Bulk teaser")
    rows = page.get_by_test_id("job-row")
    expect(rows).to_have_count(3)
    for n in range(3):
        rows.nth(n).get_by_test_id("job-select").click()
    page.get_by_test_id("bulk-cancel").click()
    expect(page.locator("[data-sonner-toast][data-type=success]")).to_contain_text(
        "Cancelled 3 jobs."
    )
    for job_id in ids:
        shown = json.loads(app_server.cli("job", str(job_id), "--json").stdout)
        assert shown["state"] == "cancelled"
    expect(rows.get_by_test_id("job-state")).to_have_text(["cancelled"] * 3)
