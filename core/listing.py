"""Pages of a list, read the way a page shows them: one window of rows, a count that stops
at a cap, and a text search, so what a poll reads stays the same size as the fleet grows.

    window = Window.of(page=3)                      # rows 101-150
    found = paged(session, query, window)           # Found(items, total, capped)

`query` is a select of whole rows with its filters and ORDER BY; the count runs the same
filters with the order dropped and stops at COUNT_CAP (a count of a million rows is what
made every poll slow; "10,000+" is all a person reads from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, literal_column, select
from sqlmodel import Session

PAGE_SIZE = 50
COUNT_CAP = 10_000
SEARCH_MAX = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """Which page of a list: 1-based `page` of `size` rows."""

    page: int = 1
    size: int = PAGE_SIZE

    @classmethod
    def of(cls, page: int | str, size: int = PAGE_SIZE) -> Window:
        number = int(page) if str(page).isdigit() else 1
        return cls(page=max(1, min(number, COUNT_CAP)), size=size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


FIRST_PAGE = Window()


@dataclass(frozen=True)
class Found(Generic[T]):
    """One page of rows and how many match in all (`capped`: at least `total`)."""

    items: list[T]
    total: int
    capped: bool
    window: Window

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.window.size))


def bounded_count(session: Session, query: Any, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows `query` matches, counting no further than `cap` (then True)."""
    inner = (
        query.order_by(None)
        .with_only_columns(literal_column("1"), maintain_column_froms=True)
        .limit(cap + 1)
        .subquery()
    )
    total = int(session.connection().execute(select(func.count()).select_from(inner)).scalar_one())
    return min(total, cap), total > cap


def paged(session: Session, query: Any, window: Window) -> Found[Any]:
    """The rows of `window` (the last page when it is past the end) and the bounded count."""
    total, capped = bounded_count(session, query)
    last = max(1, -(-total // window.size))
    if window.page > last and not capped:
        window = Window(page=last, size=window.size)
    items = list(session.exec(query.offset(window.offset).limit(window.size)).all())
    return Found(items=items, total=total, capped=capped, window=window)


def contains(column: Any, text: str) -> Any:
    """A case-insensitive "contains `text`" condition, with LIKE's wildcards taken literally."""
    words = text.strip()[:SEARCH_MAX]
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
