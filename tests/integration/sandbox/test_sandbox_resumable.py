"""A large resumable upload through google-api-python-client that survives injected faults."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import httplib2
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaFileUpload

from tests.integration.sandbox.google_clients import (
    READONLY,
    UPLOAD,
    connect_channel,
    credentials_from_grant,
    refresh,
    youtube_client,
)

MIB = 1024 * 1024
CHUNK = MIB
SIZE = 24 * MIB + 12_345  # the last chunk is short, as with real files
TRANSIENT = {429, 500, 502, 503, 504}
METADATA = {
    "snippet": {
        "title": "Sandbox resumable test",
        "description": "24 MB in 1 MiB chunks",
        "tags": ["sandbox", "resumable upload"],
        "categoryId": "28",
    },
    "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False},
}


@pytest.fixture(scope="module")
def video_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    data = os.urandom(SIZE)
    path.write_bytes(data)
    return path, hashlib.md5(data).hexdigest()


def query_session(http: Any, uri: str, total: int) -> tuple[int, dict | None]:
    """Ask the session where it stands: (next byte to send, finished video or None)."""
    response, content = http.request(
        uri, "PUT", headers={"Content-Range": f"bytes */{total}", "Content-Length": "0"}
    )
    if response.status in (200, 201):
        import json

        return total, json.loads(content)
    assert response.status == 308, (response.status, content)
    stored = response.get("range")
    return (int(stored.split("-")[1]) + 1 if stored else 0), None


def insert_request(youtube: Any, path: Path) -> HttpRequest:
    media = MediaFileUpload(str(path), mimetype="video/mp4", chunksize=CHUNK, resumable=True)
    return youtube.videos().insert(part="snippet,status", body=METADATA, media_body=media)


def drive(
    request: HttpRequest, credentials: Any, seen: list[Any], stop_at: int | None = None
) -> dict | None:
    """Our own retry loop (num_retries=0): on any failure ask the session for its range and
    continue from there; on 401 refresh the token first."""
    while True:
        try:
            status, response = request.next_chunk(num_retries=0)
        except HttpError as error:
            seen.append(error.status_code)
            if error.status_code == 401:
                refresh(credentials)
            elif error.status_code not in TRANSIENT:
                raise
        except (OSError, httplib2.HttpLib2Error) as error:
            seen.append(type(error).__name__)
        else:
            if response is not None:
                return response
            if stop_at is not None and status.resumable_progress >= stop_at:
                return None
            continue
        progress, done = query_session(
            request.http, request.resumable_uri, request.resumable.size()
        )
        seen.append(("range", progress))
        if done is not None:
            return done
        request.resumable_progress = progress


def test_upload_survives_503_drop_and_401_and_resumes_in_a_fresh_client(
    sandbox_url, control, project, channel, video_file
):
    path, md5 = video_file
    credentials = connect_channel(sandbox_url, project, "Alice Cooks", [UPLOAD, READONLY])
    control.add_fault("status", method="upload_chunk", nth=3, status=503, reason="backendError")
    control.add_fault("drop", method="upload_chunk", nth=6, after_bytes=300_000)
    control.add_fault("auth_401", method="upload_chunk", nth=10)
    seen: list[Any] = []

    first = insert_request(youtube_client(credentials, sandbox_url, refresh_on_401=False), path)
    assert drive(first, credentials, seen, stop_at=14 * MIB) is None
    session_uri = first.resumable_uri

    # A new process would only have the stored session URI and the refresh token.
    fresh_credentials = credentials_from_grant(
        {"refresh_token": credentials.refresh_token, "scopes": [UPLOAD, READONLY]},
        project,
        sandbox_url,
    )
    fresh_youtube = youtube_client(fresh_credentials, sandbox_url, refresh_on_401=False)
    second = insert_request(fresh_youtube, path)
    second.resumable_uri = session_uri
    refresh(fresh_credentials)
    progress, done = query_session(second.http, session_uri, SIZE)
    assert done is None and progress >= 14 * MIB
    second.resumable_progress = progress
    video = drive(second, fresh_credentials, seen)

    assert video is not None and video["snippet"]["title"] == METADATA["snippet"]["title"]
    # 503 on the 3rd chunk; the drop on the 6th PUT (chunk 5, at 4 MiB) kept 300,000 bytes.
    assert 503 in seen and 401 in seen
    assert ("range", 4 * MIB + 300_000) in seen
    assert any(isinstance(item, str) for item in seen), seen  # the connection reset
    assert [f["fired"] for f in control.faults()] == [1, 1, 1]
    stored = control.videos(channel_id=channel["id"])
    assert len(stored) == 1
    assert stored[0]["id"] == video["id"]
    assert stored[0]["byte_count"] == SIZE
    assert stored[0]["md5"] == md5
    assert len(control.log(method="videos.insert")) == 1


def test_status_query_after_completion_returns_the_same_video(
    sandbox_url, control, project, channel, tmp_path
):
    path = tmp_path / "small.mp4"
    path.write_bytes(os.urandom(3 * CHUNK + 10))
    grant = control.grant(project["client_id"], channel["id"])
    credentials = credentials_from_grant(grant, project, sandbox_url)
    youtube = youtube_client(credentials, sandbox_url)
    request = youtube.videos().insert(
        part="snippet",
        body={"snippet": {"title": "lost answer"}},
        media_body=MediaFileUpload(
            str(path), mimetype="video/mp4", chunksize=CHUNK, resumable=True
        ),
    )
    video = drive(request, credentials, [])

    # The final answer was lost: asking the session again must not make a second video.
    _, again = query_session(request.http, request.resumable_uri, path.stat().st_size)

    assert again is not None and again["id"] == video["id"]
    assert len(control.videos()) == 1


def test_chunk_that_is_not_a_multiple_of_256_kib_is_refused(
    sandbox_url, control, project, channel, tmp_path
):
    path = tmp_path / "odd.mp4"
    path.write_bytes(os.urandom(300_000))
    grant = control.grant(project["client_id"], channel["id"])
    youtube = youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)
    request = youtube.videos().insert(
        part="snippet",
        body={"snippet": {"title": "odd chunks"}},
        media_body=MediaFileUpload(
            str(path), mimetype="video/mp4", chunksize=100_000, resumable=True
        ),
    )

    with pytest.raises(HttpError) as caught:
        request.next_chunk(num_retries=0)

    assert caught.value.status_code == 400
    assert "256 KiB" in caught.value.error_details[0]["message"]
    assert control.videos() == []


def test_lost_final_answer_is_recovered_by_the_status_query(
    sandbox_url, control, project, channel, tmp_path
):
    path = tmp_path / "final.mp4"
    path.write_bytes(os.urandom(2 * CHUNK + 99))
    grant = control.grant(project["client_id"], channel["id"])
    credentials = credentials_from_grant(grant, project, sandbox_url)
    youtube = youtube_client(credentials, sandbox_url, refresh_on_401=False)
    # The last chunk is stored whole, then the connection is reset before the answer.
    control.add_fault("drop", method="upload_chunk", nth=3, after_bytes=10 * CHUNK)
    seen: list[Any] = []

    video = drive(insert_request(youtube, path), credentials, seen)

    assert seen[0] == "ConnectionResetError" and seen[1] == ("range", path.stat().st_size)
    assert [v["id"] for v in control.videos()] == [video["id"]]
