"""YouTube Analytics API v2: reports.query for one channel, as typed rows.

The client is built from the discovery document shipped with google-api-python-client,
with its root moved to the sandbox when TubeFleet runs against it, exactly as the Data API
client is. Analytics has its own quota at Google (not the Data API's 10,000 units), so
these calls skip the quota gate. A bad query is classified FIX_INPUT (never retried) and a
grant without an analytics-capable scope NOT_GRANTED (a person must reconnect).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient import discovery_cache
from googleapiclient.discovery import Resource, build_from_document

from youtube.client import SCOPE_ANALYTICS, Endpoints, authorized_http
from youtube.errors import Action, classify
from youtube.gateway import TokenSource

__all__ = [
    "SCOPE_ANALYTICS",
    "Column",
    "Report",
    "ReportQuery",
    "analytics_service",
    "query_report",
]

Cell = str | int | float


@dataclass(frozen=True)
class ReportQuery:
    """One reports.query. Dates are Pacific days, both ends included."""

    start: date
    end: date
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    video_ids: tuple[str, ...] = ()  # filters=video==a,b
    sort: tuple[str, ...] = ()  # "-views" sorts by views, largest first
    max_results: int | None = None
    start_index: int | None = None
    channel_id: str = "MINE"  # or the channel's own id

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "ids": f"channel=={self.channel_id}",
            "startDate": self.start.isoformat(),
            "endDate": self.end.isoformat(),
            "metrics": ",".join(self.metrics),
        }
        if self.dimensions:
            params["dimensions"] = ",".join(self.dimensions)
        if self.video_ids:
            params["filters"] = "video==" + ",".join(self.video_ids)
        if self.sort:
            params["sort"] = ",".join(self.sort)
        if self.max_results is not None:
            params["maxResults"] = self.max_results
        if self.start_index is not None:
            params["startIndex"] = self.start_index
        return params


@dataclass(frozen=True)
class Column:
    name: str
    column_type: str  # DIMENSION or METRIC
    data_type: str  # STRING, INTEGER, FLOAT


@dataclass(frozen=True)
class Report:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def records(self) -> list[dict[str, Cell]]:
        """Each row as {column name: value}; the header, not our request, fixes the order."""
        names = [column.name for column in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def parse_report(answer: dict[str, Any]) -> Report:
    columns = tuple(
        Column(h["name"], h.get("columnType", ""), h.get("dataType", ""))
        for h in answer.get("columnHeaders") or []
    )
    # Google leaves out "rows" when there is no data for the query.
    rows = tuple(tuple(row) for row in answer.get("rows") or [])
    return Report(columns=columns, rows=rows)


@functools.cache
def _document(analytics_root: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(discovery_cache.get_static_doc("youtubeAnalytics", "v2"))
    document["rootUrl"] = analytics_root
    document["mtlsRootUrl"] = analytics_root
    return document


def analytics_service(creds: Credentials, endpoints: Endpoints) -> Resource:
    """The youtubeAnalytics v2 client; this module is the only place that builds it."""
    return build_from_document(_document(endpoints.analytics_root), http=authorized_http(creds))


def query_report(tokens: TokenSource, endpoints: Endpoints, query: ReportQuery) -> Report:
    """Run one report for the channel whose credentials `tokens` hands out.

    A 401 refreshes the token once; every other error is raised as a classified
    GoogleError (no retry loop here: the caller's schedule decides when to try again).
    """
    refreshed = False
    while True:
        creds = tokens.refreshed() if refreshed else tokens.current()
        request = analytics_service(creds, endpoints).reports().query(**query.params())
        try:
            answer = request.execute(num_retries=0)
        except Exception as exc:
            error = classify(exc)
            if error.action == Action.REFRESH and not refreshed:
                refreshed = True
                continue
            raise error from None
        return parse_report(answer)
