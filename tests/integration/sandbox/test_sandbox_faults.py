"""Fault rules seen through the real client: status answers, latency, token endpoint, deletes."""

from __future__ import annotations

import io
import time

import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from tests.integration.sandbox.google_clients import (
    credentials_from_grant,
    refresh,
    youtube_client,
)


@pytest.fixture
def credentials(sandbox_url, control, project, channel):
    grant = control.grant(project["client_id"], channel["id"])
    return credentials_from_grant(grant, project, sandbox_url)


@pytest.fixture
def youtube(sandbox_url, credentials):
    return youtube_client(credentials, sandbox_url)


def test_rate_limit_fault_fires_count_times_and_is_not_charged(youtube, control, project):
    control.add_fault(
        "status", method="channels.list", status=429, reason="rateLimitExceeded", count=2
    )
    reasons = []
    for _ in range(3):
        try:
            youtube.channels().list(part="id", mine=True).execute(num_retries=0)
            reasons.append("ok")
        except HttpError as error:
            reasons.append(f"{error.status_code} {error.error_details[0]['reason']}")

    assert reasons == ["429 rateLimitExceeded", "429 rateLimitExceeded", "ok"]
    assert control.quota(project["client_id"])["buckets"]["default"]["used"] == 1
    assert control.faults()[0]["fired"] == 2


def test_latency_fault_delays_the_answer(youtube, control):
    youtube.channels().list(part="id", mine=True).execute()  # token refreshed outside timing
    control.add_fault("latency", method="channels.list", latency_ms=400)

    began = time.perf_counter()
    youtube.channels().list(part="id", mine=True).execute()

    assert time.perf_counter() - began >= 0.4


def test_fault_filtered_to_another_client_does_not_fire(youtube, control):
    control.add_fault(
        "status",
        method="channels.list",
        status=503,
        client_id="someone-else.apps.googleusercontent.com",
    )
    assert youtube.channels().list(part="id", mine=True).execute()["items"]
    assert control.faults()[0]["fired"] == 0


def test_token_endpoint_faults(credentials, control):
    # google-auth retries a 5xx from the token endpoint by itself...
    control.add_fault("status", method="token", status=503, reason="internal_failure")
    refresh(credentials)
    assert [e["status"] for e in control.log(method="token")] == [503, 200]

    # ...but not an invalid_grant, which means the channel needs a new consent.
    control.add_fault("status", method="token", status=400, reason="invalid_grant")
    with pytest.raises(RefreshError) as caught:
        refresh(credentials)
    assert "invalid_grant" in str(caught.value)


def test_owner_deletes_a_video(youtube, control, sandbox_url, project, brand_channel):
    media = MediaIoBaseUpload(io.BytesIO(b"\0" * 1000), mimetype="video/mp4", resumable=True)
    request = youtube.videos().insert(
        part="snippet", body={"snippet": {"title": "bye"}}, media_body=media
    )
    video = None
    while video is None:
        _, video = request.next_chunk(num_retries=0)
    grant = control.grant(project["client_id"], brand_channel["id"])
    stranger = youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)

    with pytest.raises(HttpError) as caught:
        stranger.videos().delete(id=video["id"]).execute()
    youtube.videos().delete(id=video["id"]).execute()

    assert caught.value.status_code == 403
    assert youtube.videos().list(part="id", id=video["id"]).execute()["items"] == []
    assert control.videos() == []
    assert control.videos(include_deleted=True)[0]["deleted"] is True
