"""The calendar in a real browser: jobs show in the viewer's zone, a scheduled job dragged
to another day is rescheduled (same time of day), and a click on a free time opens the
upload form with that time filled in."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, login
from tests.integration.world import fake_video

BERLIN = ZoneInfo("Europe/Berlin")


def _schedule(app: RunningApp, tmp_path: Path, title: str, at: str) -> int:
    video = fake_video(tmp_path / f"{title}.mp4", 256 * 1024)
    made = app.cli(
        "upload", str(video), "--title", title, "--at", at, "--tz", "Europe/Berlin", "--json"
    )
    assert made.returncode == 0, made.stderr
    [job_id] = json.loads(made.stdout)["job_ids"]
    return int(job_id)


def _job(app: RunningApp, job_id: object) -> dict[str, object]:
    shown = app.cli("job", str(job_id), "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)  # type: ignore[no-any-return]


def _drag(page: Page, source: object, target: object) -> None:
    """Press, move in steps, release: FullCalendar follows pointer moves, not a jump."""
    a = source.bounding_box()  # type: ignore[attr-defined]
    b = target.bounding_box()  # type: ignore[attr-defined]
    assert a and b
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(a["x"] + a["width"] / 2 + 5, a["y"] + a["height"] / 2 + 5, steps=5)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=20)
    page.mouse.up()


def test_drag_a_job_to_another_day_and_click_a_time_to_schedule(
    page: Page, app_server: RunningApp, tmp_path: Path
) -> None:
    tomorrow = datetime.now(BERLIN).date() + timedelta(days=1)
    job_id = _schedule(app_server, tmp_path, "Calendar teaser", f"{tomorrow} 10:00")
    login(page, app_server.base_url, *app_server.desk_admin(), path="/calendar")
    calendar = page.get_by_test_id("plan-calendar")
    page.get_by_role("button", name="month").click()
    event = calendar.locator(".fc-event", has_text="Calendar teaser")
    expect(event).to_be_visible()

    later = tomorrow + timedelta(days=2)
    target = calendar.locator(f"td.fc-daygrid-day[data-date='{later}']")
    if target.count() == 0:  # the next month's grid holds it
        page.get_by_role("button", name="next month").click()
    _drag(page, event, calendar.locator(f"td.fc-daygrid-day[data-date='{later}']"))
    expect(page.locator("[data-sonner-toast][data-type=success]")).to_contain_text(
        "Rescheduled “Calendar teaser”"
    )
    moved = datetime.fromisoformat(str(_job(app_server, job_id)["scheduled_for"]))
    assert moved.astimezone(BERLIN).date() == later
    assert moved.astimezone(BERLIN).strftime("%H:%M") == "10:00"

    # Week view: a click on a free time starts an upload then.
    page.get_by_role("button", name="week").click()
    day = date.today() + timedelta(days=1)
    column = calendar.locator(f".fc-timegrid-col[data-date='{day}']")
    if column.count() == 0:
        page.get_by_role("button", name="next week").click()
    column = calendar.locator(f".fc-timegrid-col[data-date='{day}']")
    slot = calendar.locator(".fc-timegrid-slot-lane[data-time='15:00:00']")
    col_box, slot_box = column.bounding_box(), slot.bounding_box()
    assert col_box and slot_box
    page.mouse.click(col_box["x"] + col_box["width"] / 2, slot_box["y"] + slot_box["height"] / 2)
    expect(page).to_have_url(f"{app_server.base_url}/uploads")
    expect(page.get_by_test_id("field-when")).to_have_value(f"{day} 15:00")
