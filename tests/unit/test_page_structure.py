"""The pages' structure: every page is declared once, every page-state handler a browser
may call is guarded, states stay thin, and one module formats times."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import app.pages
from app.pages.registry import PAGES
from app.states.session import GUARD_MARK, SessionState
from app.views import format

APP = Path(app.pages.__file__).resolve().parents[1]
BERLIN = ZoneInfo("Europe/Berlin")


def _page_states() -> list[type[SessionState]]:
    found, pending = [], list(SessionState.get_substates())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.get_substates())
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_every_page_is_declared_once_with_a_title() -> None:
    from app.pages import (  # noqa: F401
        alerts,
        channels,
        login,
        overview,
        quota,
        settings,
        uploads,
    )

    routes = [p.route for p in PAGES]
    assert sorted(routes) == sorted(set(routes))
    assert {"/", "/login", "/channels", "/uploads", "/quota", "/alerts", "/settings"} <= set(routes)
    assert all(p.title.endswith(" · TubeFleet") for p in PAGES)


def test_every_page_state_handler_is_guarded() -> None:
    from app.pages import uploads  # noqa: F401  (loads every page state)

    unguarded = [
        (cls.__name__, name)
        for cls in _page_states()
        for name, handler in cls.event_handlers.items()
        if name != "setvar" and not hasattr(handler.fn, GUARD_MARK)
    ]
    assert not unguarded


def test_states_and_views_keep_to_their_layer() -> None:
    for path in (APP / "states").glob("*.py"):
        imports = _imports(path)
        assert not {
            m
            for m in imports
            if m.startswith(("app.components", "youtube", "sqlmodel", "sqlalchemy"))
        }, path
    for path in (APP / "views").glob("*.py"):
        imports = _imports(path)
        assert not {
            m
            for m in imports
            if m.startswith(("app.states", "reflex", "core.db", "sqlmodel", "youtube"))
        }, path
    for path in APP.rglob("*.py"):
        assert not {m for m in _imports(path) if m.split(".")[0] == "youtube"}, path


def test_one_absolute_format_and_its_forms() -> None:
    at = datetime(2026, 12, 4, 17, 0, 5, tzinfo=UTC)
    assert format.date_time(at, BERLIN) == "Fri 4 Dec 18:00"
    assert format.date_time(at, BERLIN, seconds=True) == "Fri 4 Dec 18:00:05"
    assert format.date_time(None, BERLIN) == "—"
    assert format.moment(at, BERLIN, now=at) == "18:00 CET"
    assert format.moment(at, BERLIN, now=at + timedelta(days=1)) == "Fri 4 Dec 18:00 CET"
    assert format.day(date(2026, 12, 4)) == "Fri 4 Dec"
    assert format.ago(4.2) == "4 s ago" and format.ago(None) == "never"
    assert format.duration(timedelta(minutes=125)) == "2 h 05 min"
    assert format.eta(185) == "3 min 05 s" and format.eta(42) == "42 s"
    assert format.mib(1.5 * 1024 * 1024) == "1.5 MiB"
