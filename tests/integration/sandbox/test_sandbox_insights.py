"""Statistics and YouTube Analytics over HTTP with the real Google client library: numbers
that move with the sandbox clock and equal the audience model, Google's 400s for bad
queries, 403 without a scope, and no Data API quota for Analytics."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from sandbox.analytics_query import UNSUPPORTED
from sandbox.control import SandboxControl
from sandbox.stats_model import counts_at, curve_for
from tests.integration.sandbox.google_clients import (
    FORCE_SSL,
    READONLY,
    UPLOAD,
    credentials_from_grant,
    refresh,
    youtube_client,
)
from youtube.analytics import ReportQuery, analytics_service, query_report
from youtube.client import SCOPE_ANALYTICS, Credentials, Endpoints
from youtube.errors import Action, GoogleError, classify

DAY = 86400
PACIFIC = ZoneInfo("America/Los_Angeles")
CLIP = b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 4000
METRICS = (
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "subscribersGained",
    "subscribersLost",
    "likes",
)


class Tokens:
    """A TokenSource over one set of credentials (what core's vault hands youtube/)."""

    def __init__(self, creds: Credentials) -> None:
        self.creds = creds

    def current(self) -> Credentials:
        if not self.creds.valid:
            refresh(self.creds)
        return self.creds

    def refreshed(self) -> Credentials:
        refresh(self.creds)
        return self.creds


@pytest.fixture
def creds(sandbox_url: str, control: SandboxControl, project: dict, channel: dict) -> Credentials:
    grant = control.grant(project["client_id"], channel["id"], [UPLOAD, FORCE_SSL, SCOPE_ANALYTICS])
    return credentials_from_grant(grant, project, sandbox_url)


@pytest.fixture
def youtube(creds: Credentials, sandbox_url: str) -> Any:
    return youtube_client(creds, sandbox_url)


def publish(youtube: Any, control: SandboxControl, title: str, **status: Any) -> str:
    body = {"snippet": {"title": title}, "status": {"privacyStatus": "public", **status}}
    media = MediaIoBaseUpload(io.BytesIO(CLIP), mimetype="video/mp4", resumable=False)
    video = youtube.videos().insert(part="snippet,status", body=body, media_body=media).execute()
    control.set_processing(video["id"], "processed")
    return str(video["id"])


def statistics(youtube: Any, video_ids: list[str]) -> dict[str, dict[str, str]]:
    answer = youtube.videos().list(part="statistics", id=",".join(video_ids)).execute()
    return {item["id"]: item["statistics"] for item in answer["items"]}


def today(control: SandboxControl) -> date:
    return date.fromisoformat(control.clock()["pacific_day"])


def midnight(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=PACIFIC).strftime("%Y-%m-%dT%H:%M:%S%z")


def test_statistics_grow_as_the_clock_moves_and_equal_the_model(youtube, control, channel):
    control.freeze_clock()
    video_id = publish(youtube, control, "growing")
    assert statistics(youtube, [video_id])[video_id]["viewCount"] == "0"

    control.advance_clock(DAY)
    shown = statistics(youtube, [video_id])[video_id]
    model = control.video_stats(video_id)
    assert shown == model["statistics"]
    assert int(shown["viewCount"]) > 0 and shown["favoriteCount"] == "0"
    # The same numbers from the pure function, from the seed and the moment it went public.
    curve = curve_for(control.settings()["stats_seed"], video_id)
    expected = counts_at(curve, model["public_from_ts"], model["public_from_ts"] + DAY)
    assert int(shown["viewCount"]) == expected.views < curve.ceiling
    assert int(shown["likeCount"]) == expected.likes
    assert int(shown["commentCount"]) == expected.comments

    mine = youtube.channels().list(part="statistics", mine=True).execute()["items"][0]
    assert mine["statistics"] == control.channel_stats(channel["id"])["statistics"]
    assert mine["statistics"]["viewCount"] == str(expected.views)  # the channel started at 0
    assert mine["statistics"]["videoCount"] == "1"

    control.advance_clock(DAY)
    later = statistics(youtube, [video_id])[video_id]
    assert int(later["viewCount"]) > int(shown["viewCount"])


def test_only_public_videos_collect_views(sandbox_url, youtube, control):
    control.freeze_clock()
    hour_later = datetime.fromisoformat(control.clock()["now"]) + timedelta(hours=2)
    scheduled = publish(
        youtube,
        control,
        "scheduled",
        privacyStatus="private",
        publishAt=hour_later.isoformat().replace("+00:00", "Z"),
    )
    unlisted = publish(youtube, control, "unlisted", privacyStatus="unlisted")
    control.advance_clock(3600)
    assert statistics(youtube, [scheduled])[scheduled]["viewCount"] == "0"

    control.advance_clock(DAY)
    counts = statistics(youtube, [scheduled, unlisted])
    assert counts[unlisted]["viewCount"] == "0"
    model = control.video_stats(scheduled)
    assert datetime.fromisoformat(model["public_from"]) == hour_later  # views start at publishAt
    assert counts[scheduled] == model["statistics"] and int(model["counts"]["views"]) > 0


def test_reports_by_day_and_by_video_equal_the_model(sandbox_url, creds, youtube, control, channel):
    control.freeze_clock()
    first = publish(youtube, control, "first")
    control.advance_clock(DAY // 2)
    second = publish(youtube, control, "second")
    published_on = today(control) - timedelta(days=1)  # covers both publish moments
    control.advance_clock(3 * DAY)
    tokens, endpoints = Tokens(creds), Endpoints.sandbox(sandbox_url)
    now_counts = statistics(youtube, [first, second])
    total_views = sum(int(s["viewCount"]) for s in now_counts.values())

    by_day = query_report(
        tokens,
        endpoints,
        ReportQuery(start=published_on, end=today(control), metrics=METRICS, dimensions=("day",)),
    )
    assert [c.name for c in by_day.columns] == ["day", *METRICS]
    assert by_day.columns[0].column_type == "DIMENSION" and by_day.columns[1].data_type == "INTEGER"
    days = by_day.records()
    assert [r["day"] for r in days] == [
        (published_on + timedelta(days=i)).isoformat() for i in range(len(days))
    ]
    assert sum(int(r["views"]) for r in days) == total_views  # all views since publishing
    for record in days[:-1]:  # complete days: the model's window for that Pacific day
        day = date.fromisoformat(str(record["day"]))
        windows = [
            control.video_stats(v, since=midnight(day), at=midnight(day + timedelta(days=1)))
            for v in (first, second)
        ]
        assert record["views"] == sum(w["window"]["views"] for w in windows)
        assert record["subscribersGained"] == sum(
            w["window"]["subscribers_gained"] for w in windows
        )
        assert record["likes"] == sum(w["window"]["likes"] for w in windows)
        watch = sum(w["window"]["watch_seconds"] for w in windows)
        assert record["estimatedMinutesWatched"] == watch // 60
        assert record["averageViewDuration"] == (watch // record["views"] if record["views"] else 0)

    top = query_report(
        tokens,
        endpoints,
        ReportQuery(
            start=published_on,
            end=today(control),
            metrics=("views", "likes"),
            dimensions=("video",),
            sort=("-views",),
            max_results=10,
        ),
    )
    views = {str(r["video"]): int(r["views"]) for r in top.records()}
    assert views == {v: int(now_counts[v]["viewCount"]) for v in (first, second)}
    assert [r["views"] for r in top.records()] == sorted(views.values(), reverse=True)

    only_first = query_report(
        tokens,
        endpoints,
        ReportQuery(
            start=published_on,
            end=today(control),
            metrics=("views",),
            video_ids=(first,),
            channel_id=channel["id"],
        ),
    )
    assert only_first.rows == ((int(now_counts[first]["viewCount"]),),)

    # Analytics has its own quota at Google: the Data API bucket saw only the Data API calls.
    used = control.quota(creds.client_id)["buckets"]["default"]
    data_calls = [e for e in control.log(client_id=creds.client_id) if e.get("bucket") == "default"]
    assert used["used"] == len(data_calls) == 1  # the one videos.list call
    assert {e.get("cost") for e in control.log(method="reports.query")} == {0}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"metrics": "views", "dimensions": "day,video"}, UNSUPPORTED),
        ({"metrics": "views", "dimensions": "video"}, UNSUPPORTED),  # top videos need a sort
        ({"metrics": "views,watchTime"}, "Unknown identifier (watchTime)"),
        ({"metrics": "views", "startDate": "2026-12-02", "endDate": "2026-12-01"}, "start date"),
        ({"metrics": "views", "startDate": "yesterday"}, "YYYY-MM-DD"),
        ({"dimensions": "day"}, "Required parameter: metrics"),
    ],
)
def test_bad_queries_answer_googles_400_and_are_not_retried(
    sandbox_url, creds, control, params, message
):
    query = {"ids": "channel==MINE", "startDate": "2026-11-01", "endDate": "2026-11-28", **params}
    service = analytics_service(Tokens(creds).current(), Endpoints.sandbox(sandbox_url))
    with pytest.raises(HttpError) as caught:
        service.reports().query(**query).execute(num_retries=0)
    assert caught.value.status_code == 400
    details = caught.value.error_details[0]
    assert details["reason"] in ("badRequest", "required") and message in details["message"]

    classified = classify(caught.value)
    assert classified.action == Action.FIX_INPUT and not classified.retryable


def test_query_report_raises_a_bad_query_once_without_retrying(sandbox_url, creds, control):
    query = ReportQuery(
        start=date(2026, 11, 1),
        end=date(2026, 11, 28),
        metrics=("views",),
        dimensions=("day", "video"),
    )
    with pytest.raises(GoogleError) as caught:
        query_report(Tokens(creds), Endpoints.sandbox(sandbox_url), query)
    assert (caught.value.status, caught.value.reason) == (400, "badRequest")
    assert caught.value.action == Action.FIX_INPUT and caught.value.message == UNSUPPORTED
    assert len(control.log(method="reports.query")) == 1


def test_a_grant_without_an_analytics_scope_gets_403_not_granted(
    sandbox_url, control, project, channel
):
    grant = control.grant(project["client_id"], channel["id"], [UPLOAD])
    creds = credentials_from_grant(grant, project, sandbox_url)
    query = ReportQuery(start=date(2026, 11, 1), end=date(2026, 11, 2), metrics=("views",))
    with pytest.raises(GoogleError) as caught:
        query_report(Tokens(creds), Endpoints.sandbox(sandbox_url), query)
    assert caught.value.status == 403 and caught.value.reason == "insufficientPermissions"
    assert caught.value.action == Action.NOT_GRANTED and not caught.value.retryable
    assert len(control.log(method="reports.query")) == 1


def test_youtube_readonly_also_reads_analytics_as_the_discovery_document_says(
    sandbox_url, control, project, channel
):
    grant = control.grant(project["client_id"], channel["id"], [READONLY])
    creds = credentials_from_grant(grant, project, sandbox_url)
    query = ReportQuery(start=date(2026, 11, 1), end=date(2026, 11, 2), metrics=("views",))
    report = query_report(Tokens(creds), Endpoints.sandbox(sandbox_url), query)
    assert report.rows == ((0,),)


def test_another_channels_report_is_forbidden(sandbox_url, creds, control, brand_channel):
    query = ReportQuery(
        start=date(2026, 11, 1),
        end=date(2026, 11, 2),
        metrics=("views",),
        channel_id=brand_channel["id"],
    )
    with pytest.raises(GoogleError) as caught:
        query_report(Tokens(creds), Endpoints.sandbox(sandbox_url), query)
    assert caught.value.status == 403 and caught.value.action == Action.FORBIDDEN
