"""The websocket (`/_event`) and upload (`/_upload`) attacks from the security review,
played against the app the README's run command serves: the attacker's own raw
socket.io client, pages served from another port in Chromium, and plain HTTP."""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import RunningApp, free_port
from tests.security.people import (
    PASSWORD,
    cookie_of,
    emails,
    logged_in_page,
    person,
    wait_until_gone,
)
from tests.security.raw_socket import (
    SESSION,
    UPLOADS,
    RawReflexSocket,
    Refused,
    add_user_event,
)


@pytest.fixture
def admin(app_server: RunningApp) -> str:
    return person(app_server, "admin")


# --- cross-site websocket hijacking -------------------------------------------------------


@pytest.mark.parametrize("origin", ["http://localhost:1", "http://evil.localhost:3000", "null"])
def test_a_foreign_origin_cannot_open_the_websocket(
    app_server: RunningApp, admin: str, origin: str
) -> None:
    cookie = cookie_of(app_server, admin)
    victim = f"made-by-{uuid.uuid4().hex[:6]}@example.com"
    try:
        sock = RawReflexSocket(
            app_server.base_url, token=str(uuid.uuid4()), cookie=cookie, origin=origin
        )
    except Refused:
        sock = None
    if sock is not None:  # the handshake went through: show what an attacker then does
        sock.emit(*add_user_event(victim), path="/settings/")
        sock.listen(2)
        sock.close()
    wait_until_gone(lambda: victim in emails(app_server))
    assert victim not in emails(app_server)
    assert sock is None, "a page on another origin opened the dashboard's websocket"


def test_our_own_origin_still_works(app_server: RunningApp, admin: str) -> None:
    """The control for the test above: the same event from our origin does create a user."""
    sock = RawReflexSocket(
        app_server.base_url,
        token=str(uuid.uuid4()),
        cookie=cookie_of(app_server, admin),
        origin=app_server.base_url,
    )
    made = f"made-{uuid.uuid4().hex[:6]}@example.com"
    sock.emit(f"{SESSION}.set_browser_timezone", {"tz": "UTC"}, path="/settings/")
    sock.emit(*add_user_event(made, role="marketer"), path="/settings/")
    sock.listen(2)
    sock.close()
    wait_until_gone(lambda: made in emails(app_server), 5)
    assert made in emails(app_server)


class _AttackPage(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def attacker_site() -> Iterator[tuple[str, type[_AttackPage]]]:
    """A web server on another port of the same host: same site, another origin."""
    port = free_port()
    handler = type("AttackPage", (_AttackPage,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{port}", handler
    server.shutdown()


def test_a_page_on_another_port_cannot_drive_the_admins_websocket(
    browser: Browser,
    app_server: RunningApp,
    admin: str,
    attacker_site: tuple[str, type[_AttackPage]],
) -> None:
    site, handler = attacker_site
    victim = f"planted-{uuid.uuid4().hex[:6]}@example.com"
    name, payload = add_user_event(victim)
    event = json.dumps(
        [
            "event",
            {
                "name": name,
                "payload": payload,
                "router_data": {"pathname": "/settings/", "query": {}},
            },
        ]
    )
    ws_url = app_server.base_url.replace("http", "ws") + "/_event/?token=" + str(uuid.uuid4())
    handler.body = f"""<html><body><script>
      const ws = new WebSocket({json.dumps(ws_url + "&EIO=4&transport=websocket")});
      window.opened = false;
      ws.onmessage = (m) => {{
        window.opened = true;
        if (m.data.startsWith("0")) ws.send("40/_event,{{}}");
        if (m.data.startsWith("40/_event")) ws.send("42/_event," + {json.dumps(event)});
        if (m.data === "2") ws.send("3");
      }};
    </script></body></html>""".encode()
    page = logged_in_page(browser, app_server, admin)  # the admin is signed in…
    page.goto(site)  # …and visits the attacker's page in the same browser
    page.wait_for_timeout(3000)
    opened = page.evaluate("window.opened")
    page.context.close()
    wait_until_gone(lambda: victim in emails(app_server))
    assert victim not in emails(app_server)
    assert not opened


def test_settings_cannot_be_framed_by_another_origin(
    browser: Browser,
    app_server: RunningApp,
    admin: str,
    attacker_site: tuple[str, type[_AttackPage]],
) -> None:
    site, handler = attacker_site
    handler.body = (
        f'<iframe id="f" src="{app_server.base_url}/settings" width="800" height="600"></iframe>'
    ).encode()
    page = logged_in_page(browser, app_server, admin)
    page.goto(site)
    page.wait_for_timeout(3000)
    framed = [f for f in page.frames if f != page.main_frame]
    assert framed
    # A refused frame is replaced by the browser's error page: nothing of ours renders.
    assert all(
        f.url.startswith("chrome-error://")
        or "/settings" not in f.url
        or not f.query_selector("[data-testid='user-email']")
        for f in framed
    )
    assert not any(f.query_selector("[data-testid='user-email']") for f in framed)
    page.context.close()


# --- identity follows the cookie, not the client token ------------------------------------


def _tab_token(page: Page) -> str:
    token = page.evaluate("sessionStorage.getItem('token')")
    assert token
    return str(token)


@pytest.mark.parametrize("attacker_role", ["marketer", None])
def test_a_stolen_client_token_does_not_carry_the_admins_identity(
    browser: Browser, app_server: RunningApp, admin: str, attacker_role: str | None
) -> None:
    cookie = cookie_of(app_server, person(app_server, attacker_role)) if attacker_role else ""
    page = logged_in_page(browser, app_server, admin)
    page.goto(f"{app_server.base_url}/settings")
    page.get_by_test_id("user-email").wait_for()
    token = _tab_token(page)  # leaked: readable by page scripts, and in proxy logs
    # The admin closes the tab; its state stays on the server. (While the tab is still
    # connected, Reflex hands a second connection with the same token a new one.)
    page.context.close()
    time.sleep(1.0)
    victim = f"hijack-{uuid.uuid4().hex[:6]}@example.com"
    sock = RawReflexSocket(
        app_server.base_url, token=token, cookie=cookie, origin=app_server.base_url
    )
    sock.emit(*add_user_event(victim), path="/settings/")
    seen = sock.listen(3)
    sock.close()
    wait_until_gone(lambda: victim in emails(app_server))
    assert victim not in emails(app_server)
    assert admin not in seen, "the admin's data reached the attacker's connection"


def test_the_next_person_in_the_same_tab_gets_nothing_of_the_previous(
    browser: Browser, app_server: RunningApp, admin: str
) -> None:
    marketer = person(app_server, "marketer")
    page = logged_in_page(browser, app_server, admin)
    page.goto(f"{app_server.base_url}/settings")
    page.get_by_test_id("user-email").wait_for()
    page.wait_for_timeout(1500)  # the people list and the audit log have arrived
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_test_id("login-email").fill(marketer)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    page.goto(f"{app_server.base_url}/settings")
    page.get_by_test_id("user-email").wait_for()
    page.wait_for_timeout(1500)
    page.context.close()
    received = "\n".join(frames)
    assert received, "no websocket frames were recorded"
    assert admin not in received, "the previous admin's data was sent to the next person"
    assert "user.create" not in received, "the audit log was sent to a marketer"


def test_helper_methods_and_setvar_are_not_events(app_server: RunningApp) -> None:
    marketer = person(app_server, "marketer")
    sock = RawReflexSocket(
        app_server.base_url,
        token=str(uuid.uuid4()),
        cookie=cookie_of(app_server, marketer),
        origin=app_server.base_url,
    )
    sock.emit(f"{SESSION}.set_browser_timezone", {"tz": "UTC"}, path="/settings/")
    # Promote itself in its own state, then use the cached identity.
    sock.emit(f"{SESSION}.setvar", {"var_name": "role", "value": "admin"}, path="/settings/")
    victim = f"escalated-{uuid.uuid4().hex[:6]}@example.com"
    sock.emit(*add_user_event(victim), path="/settings/")
    before = len(app_server.output)
    for helper in ("current_user", "zone", "login_redirect"):
        sock.emit(f"{SESSION}.{helper}", {}, path="/settings/")
    sock.listen(3)
    sock.close()
    wait_until_gone(lambda: victim in emails(app_server))
    assert victim not in emails(app_server)
    logged = "\n".join(app_server.output[before:])
    assert "Traceback" not in logged


# --- uploads ------------------------------------------------------------------------------


def test_an_upload_into_another_persons_form_is_refused(
    browser: Browser, app_server: RunningApp
) -> None:
    owner, other = person(app_server, "marketer"), person(app_server, "marketer")
    page = logged_in_page(browser, app_server, owner)
    page.goto(f"{app_server.base_url}/uploads")
    page.wait_for_timeout(1500)
    token = _tab_token(page)
    answer = httpx.post(
        f"{app_server.base_url}/_upload",
        headers={
            "reflex-client-token": token,
            "reflex-event-handler": f"{UPLOADS}.receive_video",
            "cookie": cookie_of(app_server, other),
        },
        files={"files": ("swap.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096, "video/mp4")},
        timeout=30,
    )
    page.wait_for_timeout(1500)
    shown = page.content()
    page.context.close()
    assert answer.status_code == 403, (answer.status_code, answer.text[:200])
    assert "swap.mp4" not in shown
