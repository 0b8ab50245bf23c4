"""The Alerts page's reads: one page of alerts (filters and a search) in the order people
work through them, with the names of just the projects and channels on that page."""

from __future__ import annotations

from sqlalchemy import case
from sqlmodel import Session, col, or_, select

from core.alerts import AlertFilter, alert_public, filtered
from core.channel_pages import project_names
from core.listing import FIRST_PAGE, Found, Window, contains, paged
from core.uploads import channel_titles
from models import Alert, AlertPublic, AlertStatus, Severity

# Unresolved first, the most severe first, then the most recent.
_ORDER = (
    case((col(Alert.status) == AlertStatus.RESOLVED, 1), else_=0),
    case(
        (col(Alert.severity) == Severity.CRITICAL, 0),
        (col(Alert.severity) == Severity.WARNING, 1),
        else_=2,
    ),
    col(Alert.last_raised_at).desc(),
    col(Alert.id).desc(),
)


def alert_page(
    *, session: Session, filters: AlertFilter, search: str = "", window: Window = FIRST_PAGE
) -> Found[AlertPublic]:
    """One page of the alerts that match; `search` looks in the subject, message and kind."""
    query = filtered(select(Alert).order_by(*_ORDER), filters)
    if search.strip():
        query = query.where(
            or_(
                contains(col(Alert.subject), search),
                contains(col(Alert.message), search),
                contains(col(Alert.kind), search),
            )
        )
    found = paged(session, query, window)
    page: list[Alert] = found.items
    projects = project_names(session=session, ids=[a.project_id for a in page])
    channels = channel_titles(session=session, ids=[a.channel_id for a in page])
    rows = [
        alert_public(
            a,
            project=projects.get(a.project_id, "") if a.project_id else "",
            channel=(channels.get(a.channel_id) or f"channel {a.channel_id}")
            if a.channel_id
            else "",
        )
        for a in page
    ]
    return Found(items=rows, total=found.total, capped=found.capped, window=found.window)
