"""Quota as Google counts it: buckets, failed calls charged, quotaExceeded, Pacific reset."""

from __future__ import annotations

import io

import pytest
from googleapiclient.errors import HttpError, ResumableUploadError
from googleapiclient.http import MediaIoBaseUpload

from tests.integration.sandbox.google_clients import credentials_from_grant, youtube_client


@pytest.fixture
def youtube(sandbox_url, control, project, channel):
    grant = control.grant(project["client_id"], channel["id"])
    return youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)


def start_upload(youtube, title: str = "quota test"):
    media = MediaIoBaseUpload(
        io.BytesIO(b"\0" * 1024), mimetype="video/mp4", chunksize=256 * 1024, resumable=True
    )
    request = youtube.videos().insert(
        part="snippet", body={"snippet": {"title": title}}, media_body=media
    )
    return request.next_chunk(num_retries=0)


def list_channel(youtube):
    return youtube.channels().list(part="id", mine=True).execute()


def test_quota_exceeded_has_googles_error_body(youtube, control, project):
    control.update_project(project["client_id"], limits={"default": 3})
    for _ in range(3):
        list_channel(youtube)

    with pytest.raises(HttpError) as caught:
        list_channel(youtube)

    error = caught.value
    assert error.status_code == 403
    assert error.error_details[0]["reason"] == "quotaExceeded"
    assert error.error_details[0]["domain"] == "youtube.quota"
    assert "exceeded your" in error.reason and "quota" in error.reason
    usage = control.quota(project["client_id"])["buckets"]["default"]
    assert usage["used"] == 3 and usage["quota_exceeded_answers"] == 1


def test_failed_and_invalid_calls_are_charged(youtube, control, project):
    with pytest.raises(HttpError):
        youtube.videos().update(part="snippet", body={"id": "nope", "snippet": {}}).execute()
    with pytest.raises(HttpError):
        youtube.videos().list(part="nonsense", id="x").execute()

    usage = control.quota(project["client_id"])["buckets"]["default"]
    assert usage["used"] == 50 + 1
    assert usage["calls"] == 2


def test_uploads_have_their_own_100_call_bucket(youtube, control, project):
    control.update_project(project["client_id"], limits={"videos.insert": 2})
    start_upload(youtube)
    start_upload(youtube)

    with pytest.raises(ResumableUploadError) as caught:
        start_upload(youtube)

    assert caught.value.status_code == 403
    assert caught.value.error_details[0]["reason"] == "quotaExceeded"
    buckets = control.quota(project["client_id"])["buckets"]
    assert buckets["videos.insert"]["used"] == 2
    assert buckets["default"]["used"] == 0
    list_channel(youtube)  # the shared bucket is untouched by uploads


def test_legacy_cost_model_charges_1600_units_per_upload(youtube, control, project):
    control.update_project(project["client_id"], quota_model="legacy")
    start_upload(youtube)
    assert control.quota(project["client_id"])["buckets"]["default"]["used"] == 1600


def test_channel_daily_upload_cap_answers_upload_limit_exceeded(youtube, control, channel):
    control.update_channel(channel["id"], daily_upload_cap=1)
    start_upload(youtube)

    with pytest.raises(ResumableUploadError) as caught:
        start_upload(youtube)

    assert caught.value.status_code == 400
    assert caught.value.error_details[0]["reason"] == "uploadLimitExceeded"


def exhaust(youtube, control, project) -> None:
    control.update_project(project["client_id"], limits={"default": 1})
    list_channel(youtube)
    with pytest.raises(HttpError):
        list_channel(youtube)


@pytest.mark.parametrize(
    ("start", "before_reset", "after_reset", "day"),
    [
        # Winter (PST, UTC-8): midnight Pacific is 08:00 UTC.
        ("2026-01-14T20:00:00Z", "2026-01-15T07:59:00Z", "2026-01-15T08:00:30Z", "2026-01-15"),
        # 8 March 2026 has 23 hours: it starts 08:00 UTC (PST), ends 07:00 UTC (PDT).
        ("2026-03-08T12:00:00Z", "2026-03-09T06:59:00Z", "2026-03-09T07:00:30Z", "2026-03-09"),
        # 1 November 2026 has 25 hours: it starts 07:00 UTC (PDT), ends 08:00 UTC (PST).
        ("2026-11-01T07:30:00Z", "2026-11-02T07:59:00Z", "2026-11-02T08:00:30Z", "2026-11-02"),
    ],
)
def test_quota_resets_at_pacific_midnight(
    youtube, control, project, start, before_reset, after_reset, day
):
    control.set_clock(start)
    exhaust(youtube, control, project)

    control.set_clock(before_reset)
    with pytest.raises(HttpError) as caught:
        list_channel(youtube)
    assert caught.value.error_details[0]["reason"] == "quotaExceeded"

    control.set_clock(after_reset)
    assert list_channel(youtube)["items"]
    usage = control.quota(project["client_id"])
    assert usage["day"] == day
    assert usage["buckets"]["default"]["used"] == 1


def test_request_log_counts_calls_for_assertions(youtube, control, project):
    list_channel(youtube)
    start_upload(youtube)

    assert len(control.log(method="videos.insert", client_id=project["client_id"])) == 1
    assert control.log(reason="quotaExceeded") == []
