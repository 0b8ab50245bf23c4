"""The Data API calls TubeFleet makes besides the upload itself, each through the gateway
(so each is charged and classified): the channel a token acts for, thumbnails, playlists
and a video's processing status."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from googleapiclient.http import MediaFileUpload

from youtube.errors import Action, GoogleError
from youtube.gateway import Gateway

CHANNEL_PARTS = "snippet,contentDetails,statistics,status"


class LocalFileMissing(GoogleError):
    """A file we were to send is gone: nothing was sent, nothing to retry."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(Action.FAIL, "localFileMissing", f"the {what} file {path} is missing")


def _media(path: str, mimetype: str, what: str) -> MediaFileUpload:
    # Opened before the gateway charges the call, so a missing file costs no quota.
    if not os.path.isfile(path):
        raise LocalFileMissing(path, what)
    return MediaFileUpload(path, mimetype=mimetype)


def own_channel(gateway: Gateway) -> dict[str, Any]:
    """channels.list(mine=true): the channel the token acts for."""
    answer = gateway.call(
        "channels.list", lambda yt: yt.channels().list(part=CHANNEL_PARTS, mine=True)
    )
    items = answer.get("items") or []
    if not items:
        raise GoogleError(
            Action.FAIL, "noChannel", "this Google account has no YouTube channel; create one first"
        )
    return dict(items[0])


def set_thumbnail(gateway: Gateway, video_id: str, path: str, mimetype: str) -> None:
    media = _media(path, mimetype, "thumbnail")
    gateway.call(
        "thumbnails.set", lambda yt: yt.thumbnails().set(videoId=video_id, media_body=media)
    )


def _own_playlists(page_token: str | None) -> Callable[[Any], Any]:
    return lambda yt: yt.playlists().list(
        part="snippet", mine=True, maxResults=50, pageToken=page_token
    )


def playlist_id(gateway: Gateway, title: str) -> str:
    """The channel's playlist with this title (case-insensitive), created private if absent."""
    page_token: str | None = None
    while True:
        answer = gateway.call("playlists.list", _own_playlists(page_token))
        for item in answer.get("items", []):
            if item["snippet"]["title"].strip().lower() == title.strip().lower():
                return str(item["id"])
        page_token = answer.get("nextPageToken")
        if not page_token:
            break
    created = gateway.call(
        "playlists.insert",
        lambda yt: yt.playlists().insert(
            part="snippet,status",
            body={"snippet": {"title": title}, "status": {"privacyStatus": "private"}},
        ),
    )
    return str(created["id"])


def add_to_playlist(gateway: Gateway, playlist: str, video_id: str) -> None:
    gateway.call(
        "playlistItems.insert",
        lambda yt: yt.playlistItems().insert(
            part="snippet",
            body={
                "snippet": {
                    "playlistId": playlist,
                    "resourceId": {"kind": "youtube#video", "videoId": video_id},
                }
            },
        ),
    )


def video_status(gateway: Gateway, video_id: str) -> dict[str, Any] | None:
    """status and processingDetails of one video, or None if it is gone."""
    answer = gateway.call(
        "videos.list", lambda yt: yt.videos().list(part="status,processingDetails", id=video_id)
    )
    items = answer.get("items") or []
    return dict(items[0]) if items else None


def video_categories(gateway: Gateway, region: str) -> dict[str, str]:
    """Category id -> title of the categories a video may be put in."""
    answer = gateway.call(
        "videoCategories.list",
        lambda yt: yt.videoCategories().list(part="snippet", regionCode=region),
    )
    return {
        str(item["id"]): str(item["snippet"]["title"])
        for item in answer.get("items", [])
        if item.get("snippet", {}).get("assignable")
    }
