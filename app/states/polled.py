"""The scaffolding every polled page shares: `load` (on_load), `refresh` (the poller's
tick) and, for pages with filters, `set_filter`.

A page state mixes it in before SessionState and fills in `_refresh` (and `_on_load` for
what only the first load does):

    class QuotaState(PolledPage, SessionState):
        def _refresh(self) -> None: ...

    poller(QuotaState.refresh, 10_000)          # in the page; on_load=QuotaState.load

Lists that grow with the fleet mix in PagedPage instead: one page of rows at a time, a text
search, and prev/next (app/components/pager.py draws them).

Reflex sends every var a handler assigns, even to an equal value: a poll assigns through
`_assign`, so a poll that finds nothing new sends nothing.

They are Reflex mixins: each page state gets its own copy of the handlers (with their
`requires` marks), and the state tree stays SessionState -> page state.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.session import SessionState, requires
from app.views.format import page_label
from core.listing import SEARCH_MAX, Found, Window
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

    def _assign(self, **values: Any) -> None:
        """Set the vars whose value changed (only those are sent to the browser)."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)


class FilteredPage(PolledPage, mixin=True):
    """A polled page whose list narrows by filters held in `filter_<name>` vars."""

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_filter(self, which: str, value: str) -> None:
        if which not in self._filter_names():
            return
        setattr(self, f"filter_{which}", value)
        self._filter_changed(which)
        self._list_changed()
        self._refresh()

    def _filter_names(self) -> tuple[str, ...]:
        """The filters this page has (anything else sent is ignored)."""
        raise NotImplementedError

    def _filter_changed(self, which: str) -> None:
        """Reset filters that depend on the one just changed."""

    def _list_changed(self) -> None:
        """The filters changed what is listed (paged lists go back to their first page)."""


class PagedPage(FilteredPage, mixin=True):
    """A filtered list shown a page at a time, with a search box: a poll reads one page."""

    search: str = ""
    page_number: int = 1
    page_count: int = 1
    page_text: str = ""

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_search(self, value: str) -> None:
        self.search = str(value)[:SEARCH_MAX]
        self._list_changed()
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def turn_page(self, step: int) -> None:
        """step: -1 the page before, 1 the page after (within the pages there are)."""
        number = self.page_number + (1 if int(step) > 0 else -1)
        self.page_number = max(1, min(number, self.page_count))
        self._refresh()

    def _list_changed(self) -> None:
        self.page_number = 1

    def _window(self) -> Window:
        return Window.of(self.page_number)

    def _show_page(self, found: Found[Any], noun: str) -> None:
        self._assign(
            page_number=found.window.page,
            page_count=found.pages,
            page_text=page_label(found, noun),
        )
