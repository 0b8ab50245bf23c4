"""Who is logged in, for every page state: read from the HttpOnly session cookie.

The cookie travels with the websocket handshake, so the backend sees it in the router
headers of each event's own connection; Reflex never sends it to the browser. The
identity cached here is keyed by a hash of that cookie, never by Reflex's client token
(which page scripts can read): an event that arrives with another cookie, or with none,
is validated afresh (and app/states/guard.py wipes the state first).
Each page state inherits from SessionState and guards its handlers with `requires(role)`;
handlers anonymous visitors may call are marked `public`. Nothing else can be called.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import reflex as rx
from reflex.istate.proxy import StateProxy

from app.routes.cookies import session_token
from app.routes.security import client_address
from core import auth, db
from models import Role

F = TypeVar("F", bound=Callable[..., Any])
# How long a validated session is trusted before the database is asked again (so a
# logout, a disabled account or a changed role takes effect within this time).
_RECHECK_SECONDS = 5.0


GUARD_MARK = "_tubefleet_guard"
"""Attribute set on every handler a browser may call: the role it needs (None: anyone)."""


def public(fn: F) -> F:
    """Mark a handler anonymous visitors may call (the login page's, the time zone)."""
    setattr(fn, GUARD_MARK, None)
    return fn


class SessionState(rx.State):
    """The logged-in person (email and role only; never a token)."""

    email: str = ""
    role: str = ""
    must_change_password: bool = False
    tz: str = "UTC"
    _checked_at: float = 0.0
    _user_id: int = 0
    # Hash of the session cookie the cached identity belongs to ("" before any check).
    _session_key: str = ""

    def _connection_token(self) -> str | None:
        """The session cookie of the connection this event arrived on."""
        return session_token(self.router.headers.cookie)

    def _connection_address(self) -> str:
        headers = self.router.headers.raw_headers
        return client_address(
            headers.get("asgi-scope-client", ""), headers.get("x-forwarded-for", "")
        )

    def current_user(self) -> auth.CurrentUser | None:
        """Validate this connection's session (cached briefly per cookie) and return the user."""
        now = time.monotonic()
        token = self._connection_token()
        key = auth.session_key(token)
        if self._user_id and key == self._session_key and now - self._checked_at < _RECHECK_SECONDS:
            return auth.CurrentUser(
                id=self._user_id,
                email=self.email,
                role=Role(self.role),
                timezone=self.tz,
                must_change_password=self.must_change_password,
            )
        with db.read_session() as s:
            user = auth.user_for_token(session=s, token=token)
        self._session_key = key
        if user is None:
            self._user_id, self._checked_at = 0, 0.0
            self._show_person("", "", False)
            return None
        self._user_id, self._checked_at = user.id, now
        self._show_person(user.email, user.role.value, user.must_change_password)
        if self.tz == "UTC" and user.timezone and user.timezone != self.tz:
            # A new tab has not reported its zone yet: use the one reported last time.
            self.tz = user.timezone
        return user

    def _show_person(self, email: str, role: str, must_change_password: bool) -> None:
        # Reflex sends every var assigned, even to an equal value: the recheck every few
        # seconds would re-send them with each poll.
        if (self.email, self.role, self.must_change_password) != (
            email,
            role,
            must_change_password,
        ):
            self.email, self.role = email, role
            self.must_change_password = must_change_password

    def login_redirect(self) -> rx.event.EventSpec:
        path = self.router.url.path or "/"
        return rx.redirect(f"/login?next={quote(path, safe='')}")

    @rx.event
    @public
    def set_browser_timezone(self, tz: str) -> None:
        if tz == self.tz or tz not in available_timezones():
            return
        self.tz = tz
        if self.current_user() is not None:
            # Remembered for what runs without a browser (the CLI, schedules, e-mails).
            with db.session() as s:
                auth.set_timezone(session=s, user_id=self._user_id, tz=tz)

    def zone(self) -> ZoneInfo:
        """The viewer's time zone (the browser's, else the one it reported last time)."""
        if self.tz == "UTC":
            self.current_user()
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def requires(role: Role, *, before_password_change: bool = False) -> Callable[[F], F]:
    """Guard an event handler: anonymous → login page; too small a role → a toast.

    Someone signed in with a one-time password may look around (handlers marked
    `before_password_change`: page loads, filters, form fields) but changes nothing
    until they set their own password.
    """

    def deny(state: SessionState) -> Any:
        user = state.current_user()
        if user is None:
            return state.login_redirect()
        if not user.can(role):
            return rx.toast.error(
                f"Your role ({user.role.value}) cannot do this; it needs {role.value} or higher."
            )
        if user.must_change_password and not before_password_change:
            return rx.toast.error(
                "You signed in with a one-time password: set your own "
                "password on the Settings page first."
            )
        return None

    def decorate(fn: F) -> F:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(self: SessionState, *args: Any, **kwargs: Any) -> Any:
                if isinstance(self, StateProxy):  # a background handler: check under the lock
                    async with self:
                        denial = deny(self)
                else:
                    denial = deny(self)
                if denial is not None:
                    return denial
                return await fn(self, *args, **kwargs)

            setattr(async_wrapper, GUARD_MARK, role)
            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(self: SessionState, *args: Any, **kwargs: Any) -> Any:
            denial = deny(self)
            if denial is not None:
                return denial
            return fn(self, *args, **kwargs)

        setattr(wrapper, GUARD_MARK, role)
        return wrapper  # type: ignore[return-value]

    return decorate


BROWSER_TZ_SCRIPT = "Intl.DateTimeFormat().resolvedOptions().timeZone"
