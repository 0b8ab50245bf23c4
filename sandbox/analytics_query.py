"""YouTube Analytics v2 reports.query parameters: parsing, and the 400s Google answers for
missing parameters, unknown names and combinations no report supports."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sandbox.errors import ApiError, forbidden, required_parameter

METRICS = (
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "subscribersGained",
    "subscribersLost",
    "likes",
    "comments",
)
DIMENSIONS = ("day", "video")
# Real YouTube Analytics names the sandbox has no numbers for: a query using them is "not
# supported" here rather than "unknown", so a typo and a missing feature read differently.
OTHER_METRICS = frozenset(
    {
        "dislikes",
        "shares",
        "averageViewPercentage",
        "videosAddedToPlaylists",
        "videosRemovedFromPlaylists",
        "engagedViews",
        "redViews",
        "estimatedRedMinutesWatched",
        "estimatedRevenue",
        "cardClickRate",
        "viewerPercentage",
    }
)
OTHER_DIMENSIONS = frozenset(
    {"month", "country", "province", "city", "deviceType", "operatingSystem", "ageGroup"}
    | {"gender", "insightTrafficSourceType", "playlist", "channel", "creatorContentType"}
)
TOP_VIDEOS_MAX_RESULTS = 200
_IDS = re.compile(r"^([a-zA-Z]+)==([a-zA-Z0-9_+-]+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNSUPPORTED = (
    "The query is not supported. Check the documentation at "
    "https://developers.google.com/youtube/analytics/v2/available_reports "
    "for a list of supported queries."
)


@dataclass(frozen=True)
class ReportQuery:
    channel: str  # "MINE" or a channel id
    start: date
    end: date
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...]
    video_ids: tuple[str, ...] | None  # from filters=video==a,b
    sort: tuple[tuple[str, bool], ...]  # (name, descending)
    max_results: int | None
    start_index: int


def unsupported() -> ApiError:
    return ApiError(400, "badRequest", UNSUPPORTED)


def unknown(field: str, name: str) -> ApiError:
    return ApiError(
        400, "badRequest", f"Unknown identifier ({name}) given in field parameters.{field}."
    )


def invalid(name: str, value: str, why: str) -> ApiError:
    return ApiError(400, "badRequest", f"Invalid value '{value}' for {name}: {why}.", location=name)


def _names(raw: str) -> list[str]:
    return [name.strip() for name in raw.split(",") if name.strip()]


def _date(params: Mapping[str, str], name: str) -> date:
    raw = params.get(name)
    if not raw:
        raise required_parameter(name)
    try:
        if not _DATE.match(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise invalid(name, raw, "dates are YYYY-MM-DD") from None


def _channel(params: Mapping[str, str]) -> str:
    raw = params.get("ids")
    if not raw:
        raise required_parameter("ids")
    match = _IDS.match(raw)
    if match is None:
        raise invalid("ids", raw, "use channel==MINE or channel==CHANNEL_ID")
    kind, value = match.groups()
    if kind != "channel":
        raise forbidden("Forbidden", domain="global")  # a channel is no content owner
    return value


def _metrics(params: Mapping[str, str]) -> tuple[str, ...]:
    names = _names(params.get("metrics", ""))
    if not names:
        raise required_parameter("metrics")
    for name in names:
        if name in OTHER_METRICS:
            raise unsupported()
        if name not in METRICS:
            raise unknown("metrics", name)
    return tuple(names)


def _dimensions(params: Mapping[str, str]) -> tuple[str, ...]:
    names = _names(params.get("dimensions", ""))
    for name in names:
        if name in OTHER_DIMENSIONS:
            raise unsupported()
        if name not in DIMENSIONS:
            raise unknown("dimensions", name)
    if len(names) > 1:  # day,video is not one of the channel reports
        raise unsupported()
    return tuple(names)


def _video_filter(params: Mapping[str, str]) -> tuple[str, ...] | None:
    raw = params.get("filters")
    if not raw:
        return None
    videos: tuple[str, ...] | None = None
    for clause in raw.split(";"):
        name, sep, values = clause.partition("==")
        if not sep or not values:
            raise invalid("filters", raw, "a filter is NAME==VALUE, joined with ';'")
        if name in OTHER_DIMENSIONS:
            raise unsupported()
        if name != "video":
            raise unknown("filters", name)
        videos = tuple(_names(values))
    return videos


def _sort(params: Mapping[str, str], columns: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    order = []
    for item in _names(params.get("sort", "")):
        name = item.removeprefix("-")
        if name not in columns:
            if name in METRICS or name in DIMENSIONS:
                raise unsupported()  # real, but not a column of this query
            raise unknown("sort", name)
        order.append((name, item.startswith("-")))
    return tuple(order)


def _positive(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise invalid(name, raw, "it must be a whole number of at least 1")
    return int(raw)


def parse_query(params: Mapping[str, str]) -> ReportQuery:
    """Check a reports.query request in the order Google reports problems: required
    parameters, then names, then whether any report answers that combination."""
    channel = _channel(params)
    start, end = _date(params, "startDate"), _date(params, "endDate")
    metrics = _metrics(params)
    if start > end:
        raise invalid("startDate", start.isoformat(), "the start date is after the end date")
    dimensions = _dimensions(params)
    video_ids = _video_filter(params)
    sort = _sort(params, dimensions + metrics)
    max_results = _positive(params, "maxResults")
    if dimensions == ("video",):
        # The top-videos report: sorted by a metric, largest first, at most 200 rows.
        top = bool(sort) and sort[0][1] and sort[0][0] in metrics
        if not top or max_results is None or max_results > TOP_VIDEOS_MAX_RESULTS:
            raise unsupported()
    return ReportQuery(
        channel=channel,
        start=start,
        end=end,
        metrics=metrics,
        dimensions=dimensions,
        video_ids=video_ids,
        sort=sort,
        max_results=max_results,
        start_index=_positive(params, "startIndex") or 1,
    )
