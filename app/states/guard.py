"""Every websocket event and upload is bound to the session cookie of its own connection.

Reflex keys a browser tab's state by a client token that page scripts can read and that
travels in the websocket URL, so the token proves nothing. `SessionBinding` runs before
any handler (hydration included):
- a handler of ours that is neither `requires(...)` nor `public` is refused: anonymous
  clients cannot call helper methods such as `current_user` as events;
- when the event's cookie differs from the one the state was last used with (logout,
  another person in the same tab, a stolen token on another connection), every page
  state is wiped before anything runs or is sent, so nothing of the previous person's
  reaches the new connection. The handler's own `requires` then checks the role.

Uploads arrive over HTTP (`/_upload`) and carry only the client token, so
`upload_allowed` checks that the uploading request's own cookie is the session that
token's state belongs to.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from reflex_base.registry import RegistrationContext

from app.routes.cookies import session_token
from app.states.session import GUARD_MARK, SessionState
from core import auth

if TYPE_CHECKING:
    from reflex.app import App

log = logging.getLogger(__name__)
_OUR_MODULES = ("app.",)


def browser_may_call(event_name: str) -> bool:
    """Is this event one a browser may send: Reflex's own, or one of ours marked so?"""
    registered = RegistrationContext.get().event_handlers.get(event_name)
    if registered is None:
        return False
    if not registered.states[0].__module__.startswith(_OUR_MODULES):
        return True  # Reflex's own (hydrate, on_load, update_vars_internal, …)
    return hasattr(registered.handler.fn, GUARD_MARK)


def _event_cookie(event: Event, state: BaseState) -> str | None:
    """The cookie of the connection this event came on (uploads: the state's own)."""
    headers = (event.router_data or {}).get("headers")
    if isinstance(headers, dict) and headers:
        return session_token(headers.get("cookie", ""))
    return session_token(state.router.headers.cookie)


async def _wipe(state: BaseState) -> None:
    """Reset every page state (loading those a state store keeps apart, e.g. Redis)."""
    root = state._get_root_state()
    for cls in _page_states():
        await root.get_state(cls)
    root.reset()


def _page_states() -> list[type[BaseState]]:
    found: list[type[BaseState]] = []
    pending: list[type[BaseState]] = [SessionState]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.get_substates())
    return found


class SessionBinding(Middleware):
    """Refuse unguarded handlers; wipe the state when the connection's session changed."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        if not browser_may_call(event.name):
            log.warning("refused event %s: not a handler browsers may call", event.name[:200])
            return StateUpdate()
        session = await state.get_state(SessionState)
        key = auth.session_key(_event_cookie(event, state))
        if session._session_key != key:
            await _wipe(state)
            session._session_key = key
        return None


async def upload_allowed(reflex_app: rx.App, client_token: str, cookie_header: str) -> bool:
    """Does this upload's cookie belong to the session the client token's state serves?"""
    key = auth.session_key(session_token(cookie_header))
    if not key or not client_token:
        return False
    found = await reflex_app.state_manager.get_state(
        rx.BaseStateToken(ident=client_token, cls=SessionState)  # type: ignore[attr-defined]
    )
    if not isinstance(found, SessionState):
        found = await found.get_state(SessionState)
    assert isinstance(found, SessionState)
    return bool(found._session_key) and found._session_key == key
