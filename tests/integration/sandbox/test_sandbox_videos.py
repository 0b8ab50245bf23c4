"""videos.insert metadata rules, videos.list/update, processing, privacy locks, ownership."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from googleapiclient.errors import HttpError, ResumableUploadError
from googleapiclient.http import MediaIoBaseUpload

from tests.integration.sandbox.google_clients import credentials_from_grant, youtube_client

CLIP = b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 5000


@pytest.fixture
def youtube(sandbox_url, control, project, channel):
    grant = control.grant(project["client_id"], channel["id"])
    return youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)


def upload(youtube, body: dict, *, resumable: bool = True) -> dict:
    media = MediaIoBaseUpload(
        io.BytesIO(CLIP), mimetype="video/mp4", chunksize=256 * 1024, resumable=resumable
    )
    request = youtube.videos().insert(part="snippet,status", body=body, media_body=media)
    if not resumable:
        return request.execute(num_retries=0)
    response = None
    while response is None:
        _, response = request.next_chunk(num_retries=0)
    return response


def reason_of(error: HttpError) -> str:
    return error.error_details[0]["reason"]


@pytest.mark.parametrize(
    ("snippet", "status", "reason"),
    [
        ({"title": ""}, {}, "invalidTitle"),
        ({"description": "no title"}, {}, "invalidTitle"),
        ({"title": "x" * 101}, {}, "invalidTitle"),
        ({"title": "a <b> tag"}, {}, "invalidTitle"),
        ({"title": "ok", "description": "é" * 2501}, {}, "invalidDescription"),
        ({"title": "ok", "description": "1 > 0"}, {}, "invalidDescription"),
        ({"title": "ok", "tags": ["word"] * 100 + ["x" * 10]}, {}, "invalidTags"),
        ({"title": "ok", "tags": ["two words"] * 46}, {}, "invalidTags"),
        ({"title": "ok", "categoryId": "999"}, {}, "invalidCategoryId"),
        ({"title": "ok", "categoryId": "30"}, {}, "invalidCategoryId"),  # not assignable
        (
            {"title": "ok"},
            {"privacyStatus": "public", "publishAt": "2099-01-01T00:00:00Z"},
            "invalidPublishAt",
        ),
        (
            {"title": "ok"},
            {"privacyStatus": "private", "publishAt": "2001-01-01T00:00:00Z"},
            "invalidPublishAt",
        ),
        ({"title": "ok"}, {"privacyStatus": "secret"}, "invalidVideoMetadata"),
    ],
)
def test_invalid_metadata_is_refused_at_session_start(youtube, control, snippet, status, reason):
    with pytest.raises(ResumableUploadError) as caught:
        upload(youtube, {"snippet": snippet, "status": status})

    assert caught.value.status_code == 400
    assert reason_of(caught.value) == reason
    assert caught.value.error_details[0]["domain"] == "youtube.video"
    assert control.uploads() == [] and control.videos() == []


def test_tags_exactly_at_the_limit_are_accepted(youtube, control):
    tags = ["two words"] * 41 + ["x" * 8]  # 41 * (9 + 2) + 8 + 41 commas = 500
    video = upload(youtube, {"snippet": {"title": "tags", "tags": tags}})
    assert video["snippet"]["tags"] == tags


def test_upload_then_processing_then_scheduled_publish(youtube, control, channel):
    publish_at = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    video = upload(
        youtube,
        {
            "snippet": {"title": "Scheduled", "categoryId": "27"},
            "status": {"privacyStatus": "private", "publishAt": publish_at},
        },
    )
    assert video["status"]["uploadStatus"] == "uploaded"
    assert video["status"]["publishAt"] == publish_at

    listed = youtube.videos().list(part="status,processingDetails", id=video["id"]).execute()
    assert listed["items"][0]["processingDetails"]["processingStatus"] == "processing"
    control.advance_clock(3)  # processing_delay is 2 s of sandbox time
    listed = youtube.videos().list(part="status,processingDetails", id=video["id"]).execute()
    assert listed["items"][0]["status"]["uploadStatus"] == "processed"
    assert listed["items"][0]["status"]["privacyStatus"] == "private"

    control.advance_clock(3 * 24 * 3600)
    later = youtube.videos().list(part="status", id=video["id"]).execute()["items"][0]
    assert later["status"]["privacyStatus"] == "public"


def test_processing_outcome_set_through_the_control_api(youtube, control):
    failed = upload(youtube, {"snippet": {"title": "will fail"}})
    rejected = upload(youtube, {"snippet": {"title": "will be rejected"}})
    control.set_processing(failed["id"], "failed", "codec")
    control.set_processing(rejected["id"], "rejected", "duplicate")

    items = {
        v["id"]: v["status"]
        for v in youtube.videos()
        .list(part="status", id=f"{failed['id']},{rejected['id']}")
        .execute()["items"]
    }

    assert items[failed["id"]]["uploadStatus"] == "failed"
    assert items[failed["id"]]["failureReason"] == "codec"
    assert items[rejected["id"]]["uploadStatus"] == "rejected"
    assert items[rejected["id"]]["rejectionReason"] == "duplicate"


def test_unverified_project_uploads_are_locked_private(sandbox_url, control, channel):
    unverified = control.create_project("Unaudited app")  # verified defaults to false
    grant = control.grant(unverified["client_id"], channel["id"])
    youtube = youtube_client(credentials_from_grant(grant, unverified, sandbox_url), sandbox_url)

    video = upload(
        youtube, {"snippet": {"title": "wants public"}, "status": {"privacyStatus": "public"}}
    )

    assert video["status"]["privacyStatus"] == "private"
    stored = control.video(video["id"])
    assert stored["requested_privacy"] == "public" and stored["privacy"] == "private"


def test_multipart_upload_for_small_files(youtube, control):
    video = upload(
        youtube,
        {
            "snippet": {"title": "multipart", "tags": ["small"]},
            "status": {"privacyStatus": "unlisted"},
        },
        resumable=False,
    )

    stored = control.video(video["id"])
    assert stored["title"] == "multipart" and stored["byte_count"] == len(CLIP)
    assert stored["privacy"] == "unlisted"
    assert len(control.log(method="videos.insert")) == 1


def test_update_replaces_the_snippet_and_validates(youtube, control):
    video = upload(youtube, {"snippet": {"title": "before", "tags": ["a"], "categoryId": "22"}})

    updated = (
        youtube.videos()
        .update(
            part="snippet",
            body={"id": video["id"], "snippet": {"title": "after", "categoryId": "24"}},
        )
        .execute()
    )
    assert updated["snippet"]["title"] == "after"
    assert "tags" not in updated["snippet"]  # an update replaces the whole snippet

    with pytest.raises(HttpError) as missing_category:
        youtube.videos().update(
            part="snippet", body={"id": video["id"], "snippet": {"title": "no category"}}
        ).execute()
    assert reason_of(missing_category.value) == "invalidCategoryId"
    assert control.video(video["id"])["title"] == "after"


def test_another_channel_cannot_update_or_see_a_private_video(
    sandbox_url, control, project, youtube, brand_channel
):
    video = upload(youtube, {"snippet": {"title": "mine"}, "status": {"privacyStatus": "private"}})
    grant = control.grant(project["client_id"], brand_channel["id"])
    other = youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)

    with pytest.raises(HttpError) as caught:
        other.videos().update(
            part="snippet",
            body={"id": video["id"], "snippet": {"title": "stolen", "categoryId": "22"}},
        ).execute()

    assert caught.value.status_code == 403 and reason_of(caught.value) == "forbidden"
    assert other.videos().list(part="id", id=video["id"]).execute()["items"] == []
    assert control.video(video["id"])["title"] == "mine"


def test_missing_scope_is_insufficient_permissions(sandbox_url, control, project, channel):
    readonly = ["https://www.googleapis.com/auth/youtube.readonly"]
    grant = control.grant(project["client_id"], channel["id"], scopes=readonly)
    youtube = youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)

    with pytest.raises(ResumableUploadError) as caught:
        upload(youtube, {"snippet": {"title": "no upload scope"}})

    assert caught.value.status_code == 403
    assert reason_of(caught.value) == "insufficientPermissions"
