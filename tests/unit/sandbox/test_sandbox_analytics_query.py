"""reports.query parameters: what the sandbox accepts and which 400 it answers otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.analytics_query import UNSUPPORTED, parse_query
from sandbox.errors import ApiError

BASE = {
    "ids": "channel==MINE",
    "startDate": "2026-11-01",
    "endDate": "2026-11-28",
    "metrics": "views,estimatedMinutesWatched",
}


def refused(**changes: str | None) -> ApiError:
    params = {k: v for k, v in {**BASE, **changes}.items() if v is not None}
    with pytest.raises(ApiError) as caught:
        parse_query(params)
    return caught.value


def test_a_day_report_is_parsed() -> None:
    query = parse_query({**BASE, "dimensions": "day", "filters": "video==a,b", "sort": "-views"})
    assert query.start == date(2026, 11, 1) and query.end == date(2026, 11, 28)
    assert query.dimensions == ("day",) and query.video_ids == ("a", "b")
    assert query.sort == (("views", True),) and query.start_index == 1


def test_top_videos_need_a_descending_metric_sort_and_max_results() -> None:
    ok = parse_query({**BASE, "dimensions": "video", "sort": "-views", "maxResults": "10"})
    assert ok.max_results == 10
    for extra in (
        {"sort": "-views"},
        {"sort": "views", "maxResults": "10"},
        {"maxResults": "10"},
        {"sort": "-views", "maxResults": "201"},
    ):
        error = refused(dimensions="video", **extra)
        assert (error.status, error.reason, error.message) == (400, "badRequest", UNSUPPORTED)


@pytest.mark.parametrize("missing", ["ids", "startDate", "endDate", "metrics"])
def test_missing_required_parameters(missing: str) -> None:
    error = refused(**{missing: None})
    assert (error.status, error.reason, error.location) == (400, "required", missing)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"metrics": "views,viewz"},
            "Unknown identifier (viewz) given in field parameters.metrics.",
        ),
        (
            {"dimensions": "weekday"},
            "Unknown identifier (weekday) given in field parameters.dimensions.",
        ),
        ({"dimensions": "day,video"}, UNSUPPORTED),
        ({"dimensions": "country"}, UNSUPPORTED),
        ({"metrics": "views,shares"}, UNSUPPORTED),
        ({"sort": "-likes"}, UNSUPPORTED),
        ({"filters": "country==US"}, UNSUPPORTED),
        ({"startDate": "2026-11-29"}, "the start date is after the end date"),
        ({"startDate": "2026-13-01"}, "dates are YYYY-MM-DD"),
        ({"endDate": "28.11.2026"}, "dates are YYYY-MM-DD"),
        ({"ids": "channel=MINE"}, "use channel==MINE"),
        ({"maxResults": "0"}, "at least 1"),
    ],
)
def test_bad_queries_are_400_bad_request(changes: dict[str, str], message: str) -> None:
    error = refused(**changes)
    assert error.status == 400 and error.reason == "badRequest"
    assert message in error.message


def test_content_owner_reports_are_forbidden_for_a_channel() -> None:
    error = refused(ids="contentOwner==someone")
    assert (error.status, error.reason) == (403, "forbidden")
