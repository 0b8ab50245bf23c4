"""Run the real page States outside a server and measure what a poll sends the browser.

    from bench.state_harness import PageHarness
    from app.states.channels import ChannelsState

    pages = PageHarness(session_token)          # a real login session's cookie token
    pages.open("/channels")
    pages.call(ChannelsState.load)              # the handler as Reflex calls it (guard too)
    first = pages.sent()                        # bytes of the delta, then marked clean
    pages.call(ChannelsState.refresh)
    again = pages.sent()                        # what a poll with no change re-sends

It builds Reflex's root state tree (every page state under SessionState), puts the session
cookie into the connection headers as Reflex does for a websocket event, and calls an
event handler's function on its state: `requires` resolves the signed-in person from that
cookie through the database (core.auth.user_for_token), exactly as in the app. `sent`
serializes the root's delta as the StateUpdate Reflex emits (reflex_base's json_dumps)
and cleans the dirty vars, as Reflex does after each event. The database is whatever
core.db points at (see bench/fleet_data.use_fleet, or a test's use_database).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from reflex.state import BaseState, State, StateUpdate
from reflex_base.utils import format

ORIGIN = "http://localhost:3000"


def _register_pages() -> None:
    """Import every page state, so the root state builds their substates."""
    import app.states.alerts
    import app.states.calendar
    import app.states.channels
    import app.states.overview
    import app.states.quota
    import app.states.settings
    import app.states.upload_form
    import app.states.upload_queue  # noqa: F401


class PageHarness:
    """One browser tab's state tree, signed in with `session_token` (None: signed out)."""

    def __init__(self, session_token: str | None, *, client_token: str = "bench-tab") -> None:
        from core.auth import SESSION_COOKIE

        _register_pages()
        self.root: BaseState = State(_reflex_internal_init=True)
        self._cookie = f"{SESSION_COOKIE}={session_token}" if session_token else ""
        self._client_token = client_token
        self.open("/")

    def open(self, url: str) -> None:
        """Navigate the tab to `url` (path and query), as the router data of the next event."""
        parts = urlsplit(url)
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        router_data = {
            "headers": {"cookie": self._cookie, "origin": ORIGIN, "user-agent": "bench"},
            "pathname": parts.path or "/",
            "asPath": url,
            "query": query,
            "token": self._client_token,
            "sid": f"{self._client_token}-sid",
            "ip": "127.0.0.1",
        }
        merged = self.root._update_router_vars(router_data, self.root.router_data)
        self.root.router_data = merged
        self.root._clean()

    def state(self, cls: type[BaseState]) -> BaseState:
        """The tab's instance of a page state."""
        found = self.root.get_substate(cls.get_full_name().split(".")[1:])
        assert isinstance(found, cls)
        return found

    def call(self, handler: Any, *args: Any) -> Any:
        """Run an event handler (e.g. `ChannelsState.refresh`) as Reflex would: its function,
        guard included, on this tab's instance of its state; returns what it returned."""
        return handler.fn(self.state(handler.state), *args)

    def delta(self) -> dict[str, Any]:
        """What the next update would carry: {state name: {var: value}}."""
        return dict(self.root.get_delta())

    def sent(self) -> int:
        """Bytes of the update the browser would receive now; then everything is clean."""
        size = len(payload(self.root).encode())
        self.root._clean()
        return size

    def clean(self) -> None:
        self.root._clean()


def payload(root: BaseState) -> str:
    """The JSON of the StateUpdate Reflex would emit for the root's dirty vars."""
    return format.json_dumps(StateUpdate(delta=root.get_delta()))


def sent_vars(root: BaseState) -> dict[str, int]:
    """Bytes per dirty var ("state.var"), biggest first: which vars make a payload big."""
    sizes = {
        f"{name.rsplit('.', 1)[-1]}.{var}": len(format.json_dumps(value))
        for name, fields in root.get_delta().items()
        for var, value in fields.items()
    }
    return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))
