"""channels.list, playlists, playlistItems, videoCategories and search through the real client."""

from __future__ import annotations

import io

import httpx
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from tests.integration.sandbox.google_clients import credentials_from_grant, youtube_client


@pytest.fixture
def youtube(sandbox_url, control, project, channel):
    grant = control.grant(project["client_id"], channel["id"])
    return youtube_client(credentials_from_grant(grant, project, sandbox_url), sandbox_url)


def upload(youtube, title: str) -> str:
    media = MediaIoBaseUpload(io.BytesIO(b"\0" * 4096), mimetype="video/mp4", resumable=True)
    request = youtube.videos().insert(
        part="snippet,status",
        media_body=media,
        body={"snippet": {"title": title}, "status": {"privacyStatus": "public"}},
    )
    response = None
    while response is None:
        _, response = request.next_chunk(num_retries=0)
    return response["id"]


def test_channels_list_mine_with_all_parts(youtube, channel):
    answer = (
        youtube.channels()
        .list(part="snippet,contentDetails,statistics,status", mine=True)
        .execute()
    )

    assert answer["kind"] == "youtube#channelListResponse"
    assert answer["pageInfo"]["totalResults"] == 1
    item = answer["items"][0]
    assert item["kind"] == "youtube#channel" and item["etag"]
    assert item["id"] == channel["id"]
    assert item["snippet"]["title"] == "Alice Cooks"
    assert item["snippet"]["customUrl"] == "@alicecooks"
    assert item["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + channel["id"][2:]
    assert item["statistics"]["videoCount"] == "0"
    avatar = httpx.get(item["snippet"]["thumbnails"]["default"]["url"])
    assert avatar.status_code == 200 and avatar.headers["content-type"] == "image/svg+xml"


def test_channels_list_by_id_and_parts_filter(youtube, channel, brand_channel):
    answer = (
        youtube.channels()
        .list(part="snippet", id=f"{channel['id']},{brand_channel['id']},UCmissing")
        .execute()
    )

    assert [i["id"] for i in answer["items"]] == [channel["id"], brand_channel["id"]]
    assert "statistics" not in answer["items"][0]


def test_unknown_part_is_refused(youtube):
    with pytest.raises(HttpError) as caught:
        youtube.channels().list(part="snippet,bogus", mine=True).execute()
    assert caught.value.error_details[0]["reason"] == "unknownPart"


def test_playlists_and_items(youtube, control, channel):
    video_id = upload(youtube, "Episode 1")
    playlist = (
        youtube.playlists()
        .insert(
            part="snippet,status",
            body={"snippet": {"title": "Season 1"}, "status": {"privacyStatus": "unlisted"}},
        )
        .execute()
    )
    item = (
        youtube.playlistItems()
        .insert(
            part="snippet",
            body={
                "snippet": {
                    "playlistId": playlist["id"],
                    "resourceId": {"kind": "youtube#video", "videoId": video_id},
                }
            },
        )
        .execute()
    )

    mine = youtube.playlists().list(part="snippet,contentDetails", mine=True).execute()
    items = youtube.playlistItems().list(part="snippet", playlistId=playlist["id"]).execute()
    uploads = (
        youtube.playlistItems()
        .list(part="contentDetails", playlistId="UU" + channel["id"][2:])
        .execute()
    )

    assert item["snippet"]["position"] == 0
    assert [p["snippet"]["title"] for p in mine["items"]] == ["Season 1"]
    assert mine["items"][0]["contentDetails"]["itemCount"] == 1
    assert [i["snippet"]["resourceId"]["videoId"] for i in items["items"]] == [video_id]
    assert [i["contentDetails"]["videoId"] for i in uploads["items"]] == [video_id]
    assert control.video(video_id)["playlists"] == [playlist["id"]]


def test_video_categories_have_youtubes_ids(youtube):
    answer = youtube.videoCategories().list(part="snippet", regionCode="US").execute()

    titles = {c["id"]: (c["snippet"]["title"], c["snippet"]["assignable"]) for c in answer["items"]}
    assert titles["22"] == ("People & Blogs", True)
    assert titles["28"] == ("Science & Technology", True)
    assert titles["30"][1] is False


def test_search_for_mine_uses_the_search_bucket(youtube, control, project):
    upload(youtube, "Cooking pasta")
    upload(youtube, "Cooking rice")
    upload(youtube, "Travel vlog")

    found = (
        youtube.search()
        .list(part="snippet", forMine=True, type="video", q="cooking", maxResults=1)
        .execute()
    )

    assert found["pageInfo"]["totalResults"] == 2
    assert len(found["items"]) == 1 and "nextPageToken" in found
    assert found["items"][0]["id"]["kind"] == "youtube#video"
    buckets = control.quota(project["client_id"])["buckets"]
    assert buckets["search.list"]["used"] == 1
