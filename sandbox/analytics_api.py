"""YouTube Analytics API v2 reports.query (GET /youtubeanalytics/v2/reports) over the
audience model: the same numbers videos.list and channels.list report, split by Pacific day
or by video. It has its own quota at Google; the sandbox does not count it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.analytics_query import ReportQuery, parse_query
from sandbox.api_call import api_method
from sandbox.auth import Identity
from sandbox.clock import pacific_day, pacific_midnight
from sandbox.errors import forbidden
from sandbox.state import Sandbox
from sandbox.statistics import channel_videos, video_window
from sandbox.stats_model import Counts
from sandbox.store import Row, Store

PATH = "/youtubeanalytics/v2/reports"


def metric_value(counts: Counts, name: str) -> int:
    values = {
        "views": counts.views,
        "estimatedMinutesWatched": counts.minutes_watched,
        "averageViewDuration": counts.average_view_duration,
        "subscribersGained": counts.subscribers_gained,
        "subscribersLost": counts.subscribers_lost,
        "likes": counts.likes,
        "comments": counts.comments,
    }
    return values[name]


def window(videos: list[Row], seed: str, start: float, end: float) -> Counts:
    total = Counts()
    for row in videos:
        total += video_window(row, seed, start, end)
    return total


def day_bounds(day: date, now: float) -> tuple[float, float]:
    """A Pacific day as [start, end) in epoch seconds, cut at the sandbox's now."""
    start = pacific_midnight(day).timestamp()
    return start, min(pacific_midnight(day + timedelta(days=1)).timestamp(), now)


def report_rows(
    store: Store, channel_id: str, query: ReportQuery, *, seed: str, now: float
) -> list[list[Any]]:
    """Rows of the result table before sorting and paging. Days after today (Pacific, on
    the sandbox clock) have no data yet and get no row."""
    videos = channel_videos(store, channel_id)
    if query.video_ids is not None:
        videos = [row for row in videos if row["id"] in query.video_ids]
    last = min(query.end, pacific_day(datetime.fromtimestamp(now, UTC)))
    start = day_bounds(query.start, now)[0]
    end = day_bounds(last, now)[1] if last >= query.start else start
    rows: list[list[Any]] = []
    if query.dimensions == ("day",):
        day = query.start
        while day <= last:
            counts = window(videos, seed, *day_bounds(day, now))
            rows.append([day.isoformat(), *(metric_value(counts, m) for m in query.metrics)])
            day += timedelta(days=1)
    elif query.dimensions == ("video",):
        for row in videos:
            counts = video_window(row, seed, start, end)
            if counts.views:
                rows.append([row["id"], *(metric_value(counts, m) for m in query.metrics)])
    else:
        counts = window(videos, seed, start, end)
        rows.append([metric_value(counts, m) for m in query.metrics])
    return rows


def sort_and_page(rows: list[list[Any]], query: ReportQuery) -> list[list[Any]]:
    columns = list(query.dimensions + query.metrics)
    for name, descending in reversed(query.sort):  # stable sorts, last key first
        rows.sort(key=lambda row: row[columns.index(name)], reverse=descending)
    first = query.start_index - 1
    last = None if query.max_results is None else first + query.max_results
    return rows[first:last]


def result_table(query: ReportQuery, rows: list[list[Any]]) -> dict[str, Any]:
    headers = [
        {"name": name, "columnType": "DIMENSION", "dataType": "STRING"} for name in query.dimensions
    ] + [{"name": name, "columnType": "METRIC", "dataType": "INTEGER"} for name in query.metrics]
    table: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
    if rows:  # Google leaves "rows" out when there is no data
        table["rows"] = rows
    return table


@api_method("reports.query", charged=False)
async def reports_query(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    query = parse_query(request.query_params)
    if query.channel not in ("MINE", me.channel_id):
        raise forbidden("Forbidden", domain="global")
    rows = report_rows(
        sandbox.store,
        me.channel_id,
        query,
        seed=sandbox.settings.stats_seed,
        now=sandbox.clock.now_ts(),
    )
    return JSONResponse(result_table(query, sort_and_page(rows, query)))


routes = [Route(PATH, reports_query, methods=["GET"])]
