"""The scaffolding every polled page shares: `load` (on_load), `refresh` (the poller's
tick) and, for pages with filters, `set_filter`.

A page state mixes it in before SessionState and fills in `_refresh` (and `_on_load` for
what only the first load does):

    class QuotaState(PolledPage, SessionState):
        def _refresh(self) -> None: ...

    poller(QuotaState.refresh, 10_000)          # in the page; on_load=QuotaState.load

They are Reflex mixins: each page state gets its own copy of the handlers (with their
`requires` marks), and the state tree stays SessionState -> page state.
"""

from __future__ import annotations

import reflex as rx

from app.states.session import SessionState, requires
from models import Role


class PolledPage(SessionState, mixin=True):
    """A page anyone signed in may look at, refreshed by its poller."""

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        self._on_load()
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def refresh(self, _tick: str = "") -> None:
        self._refresh()

    def _on_load(self) -> None:
        """What happens only when the page is opened (read the URL, reset caches)."""

    def _refresh(self) -> None:
        raise NotImplementedError


class FilteredPage(PolledPage, mixin=True):
    """A polled page whose list narrows by filters held in `filter_<name>` vars."""

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_filter(self, which: str, value: str) -> None:
        if which not in self._filter_names():
            return
        setattr(self, f"filter_{which}", value)
        self._filter_changed(which)
        self._refresh()

    def _filter_names(self) -> tuple[str, ...]:
        """The filters this page has (anything else sent is ignored)."""
        raise NotImplementedError

    def _filter_changed(self, which: str) -> None:
        """Reset filters that depend on the one just changed."""
