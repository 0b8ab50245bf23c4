"""thumbnails.set: accepted images, size limit, wrong content, channel permission, owner."""

from __future__ import annotations

import io
import struct
import zlib

import httpx
import pytest
from googleapiclient.errors import HttpError, MediaUploadSizeError
from googleapiclient.http import MediaIoBaseUpload

from tests.integration.sandbox.google_clients import (
    authorized_http,
    credentials_from_grant,
    youtube_client,
)

LIMIT = 50 * 1024 * 1024


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def credentials(sandbox_url, control, project, channel):
    grant = control.grant(project["client_id"], channel["id"])
    return credentials_from_grant(grant, project, sandbox_url)


@pytest.fixture
def youtube(sandbox_url, credentials):
    return youtube_client(credentials, sandbox_url)


@pytest.fixture
def video_id(youtube) -> str:
    media = MediaIoBaseUpload(io.BytesIO(b"\0" * 2048), mimetype="video/mp4", resumable=True)
    request = youtube.videos().insert(
        part="snippet", body={"snippet": {"title": "thumb"}}, media_body=media
    )
    response = None
    while response is None:
        _, response = request.next_chunk(num_retries=0)
    return response["id"]


def set_thumbnail(youtube, video_id: str, data: bytes, mimetype: str):
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype=mimetype)
    return youtube.thumbnails().set(videoId=video_id, media_body=media).execute(num_retries=0)


def test_png_thumbnail_is_set_and_served(youtube, control, video_id):
    image = png()
    answer = set_thumbnail(youtube, video_id, image, "image/png")

    assert answer["kind"] == "youtube#thumbnailSetResponse"
    url = answer["items"][0]["default"]["url"]
    served = httpx.get(url)
    assert served.content == image and served.headers["content-type"] == "image/png"
    assert control.video(video_id)["thumbnail"]["byte_count"] == len(image)
    assert control.quota(control.projects()[0]["client_id"])["buckets"]["default"]["used"] == 50


def test_octet_stream_with_jpeg_bytes_is_accepted(youtube, control, video_id):
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100 + b"\xff\xd9"
    set_thumbnail(youtube, video_id, jpeg, "application/octet-stream")
    assert control.video(video_id)["thumbnail"]["content_type"] == "image/jpeg"


def test_content_that_is_not_an_image_is_invalid_image(youtube, control, video_id):
    with pytest.raises(HttpError) as caught:
        set_thumbnail(youtube, video_id, b"GIF89a not what we take", "application/octet-stream")

    assert caught.value.status_code == 400
    assert caught.value.error_details[0]["reason"] == "invalidImage"
    assert control.video(video_id)["thumbnail"] is None


def test_thumbnail_over_50_mb_is_refused(youtube, credentials, video_id, sandbox_url):
    too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * LIMIT

    # The client library refuses it before sending (the discovery document says 52428800)...
    with pytest.raises(MediaUploadSizeError):
        set_thumbnail(youtube, video_id, too_big, "image/png")

    # ...and the sandbox refuses it too when a client sends it anyway.
    response, content = authorized_http(credentials).request(
        f"{sandbox_url}/upload/youtube/v3/thumbnails/set?videoId={video_id}&uploadType=media",
        "POST",
        body=too_big,
        headers={"Content-Type": "image/png"},
    )
    assert response.status == 413
    assert b"uploadTooLarge" in content


def test_channel_without_custom_thumbnail_permission_is_forbidden(
    youtube, control, channel, video_id
):
    control.update_channel(channel["id"], custom_thumbnails=False)

    with pytest.raises(HttpError) as caught:
        set_thumbnail(youtube, video_id, png(), "image/png")

    assert caught.value.status_code == 403
    assert caught.value.error_details[0]["reason"] == "forbidden"


def test_other_channels_video_is_forbidden(sandbox_url, control, project, brand_channel, video_id):
    grant = control.grant(project["client_id"], brand_channel["id"])
    other = youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)

    with pytest.raises(HttpError) as caught:
        set_thumbnail(other, video_id, png(), "image/png")

    assert caught.value.status_code == 403
    assert control.video(video_id)["thumbnail"] is None
