"""axe-core on every page, signed in, at desk and phone width: no critical or serious
violation (contrast, names of buttons and fields, landmarks …)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.e2e.conftest import PAGES, RunningApp, login

AXE = Axe()
# Parts drawn by third-party components that we cannot name from outside, each reachable
# another way: FullCalendar's prev/next arrow glyphs (their buttons carry the names),
# react-dropzone's hidden file input (the labelled drop area opens it), Radix's table
# scroll viewport (the rows inside are reachable; the page itself never scrolls sideways).
OUTSIDE = {"exclude": [[".fc-icon"], ["input[type=file]"], [".rt-ScrollAreaViewport"]]}
SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def _serious(results: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize("size", list(SIZES))
def test_no_page_has_critical_or_serious_violations(
    browser: Browser, app_server: RunningApp, size: str
) -> None:
    context = browser.new_context(viewport=SIZES[size], timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(app_server.base_url + "/login")
        found = {"/login": _serious(AXE.run(page, context=OUTSIDE))}
        login(page, app_server.base_url, *app_server.desk_admin())
        for path in PAGES:
            page.goto(app_server.base_url + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            found[path] = _serious(AXE.run(page, context=OUTSIDE))
    finally:
        context.close()
    for path, problems in found.items():
        for problem in problems:
            print(f"AXE {size} {path}: {problem}")
    assert {p: v for p, v in found.items() if v} == {}
