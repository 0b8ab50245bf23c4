"""Builds Google clients: the YouTube Data API v3 service and OAuth credentials, for
Google itself or for the local sandbox, from the discovery document shipped with the
library (no network needed to build)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import google_auth_httplib2
from google.oauth2.credentials import Credentials
from googleapiclient import discovery_cache
from googleapiclient.discovery import Resource, build_from_document
from googleapiclient.http import build_http

__all__ = [
    "Credentials",
    "Endpoints",
    "authorized_http",
    "capabilities",
    "credentials",
    "youtube_service",
]

SCOPE_UPLOAD = "https://www.googleapis.com/auth/youtube.upload"
SCOPE_YOUTUBE = "https://www.googleapis.com/auth/youtube"
SCOPE_READONLY = "https://www.googleapis.com/auth/youtube.readonly"
SCOPE_FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"
SCOPE_ANALYTICS = "https://www.googleapis.com/auth/yt-analytics.readonly"
# What TubeFleet asks for when connecting a channel.
DEFAULT_SCOPES = [SCOPE_YOUTUBE, SCOPE_UPLOAD, SCOPE_READONLY]

# Scope -> what it lets TubeFleet do, shown per channel.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    SCOPE_YOUTUBE: ("upload", "thumbnails", "playlists", "read"),
    SCOPE_FORCE_SSL: ("upload", "thumbnails", "playlists", "read"),
    SCOPE_UPLOAD: ("upload",),
    SCOPE_READONLY: ("read",),
    SCOPE_ANALYTICS: ("analytics",),
}
HTTP_TIMEOUT_SECONDS = 60


def capabilities(scopes: str | list[str]) -> list[str]:
    """What a channel's granted scopes allow, in a stable order."""
    granted = scopes.split() if isinstance(scopes, str) else scopes
    found: set[str] = set()
    for scope in granted:
        found.update(CAPABILITIES.get(scope, ()))
    order = ["upload", "thumbnails", "playlists", "read", "analytics"]
    return [c for c in order if c in found]


@dataclass(frozen=True)
class Endpoints:
    """Where Google (or the sandbox) answers."""

    api_root: str
    auth_uri: str
    token_uri: str
    revoke_uri: str
    # YouTube Analytics v2 lives on its own host at Google; the sandbox serves it under a path.
    analytics_root: str = "https://youtubeanalytics.googleapis.com/"

    @classmethod
    def google(cls) -> Endpoints:
        return cls(
            api_root="https://youtube.googleapis.com/",
            auth_uri="https://accounts.google.com/o/oauth2/auth",
            token_uri="https://oauth2.googleapis.com/token",
            revoke_uri="https://oauth2.googleapis.com/revoke",
        )

    @classmethod
    def sandbox(cls, base_url: str) -> Endpoints:
        base = base_url.rstrip("/")
        return cls(
            api_root=base + "/",
            auth_uri=f"{base}/o/oauth2/auth",
            token_uri=f"{base}/token",
            revoke_uri=f"{base}/revoke",
            analytics_root=f"{base}/youtubeanalytics/",
        )


@functools.cache
def _document(api_root: str) -> dict[str, Any]:
    # client_options={"api_endpoint"} would not move media uploads (they keep https and
    # lose any path); moving the document's roots moves every call.
    document: dict[str, Any] = json.loads(discovery_cache.get_static_doc("youtube", "v3"))
    document["rootUrl"] = api_root
    document["mtlsRootUrl"] = api_root
    return document


def credentials(
    *,
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    access_token: str | None = None,
    expires_at: datetime | None = None,
    scopes: list[str] | None = None,
) -> Credentials:
    # google-auth compares expiry with a naive UTC datetime.
    expiry = expires_at.astimezone(UTC).replace(tzinfo=None) if expires_at else None
    return Credentials(
        token=access_token,
        refresh_token=refresh_token,
        token_uri=endpoints.token_uri,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        expiry=expiry,
    )


def authorized_http(
    creds: Credentials, *, refresh_on_401: bool = False
) -> google_auth_httplib2.AuthorizedHttp:
    """build_http() keeps the resumable 308 away from httplib2's redirect handling.

    Automatic refresh-and-retry on 401 is off by default: it would re-send an upload
    chunk whose stream is already consumed. Our gateway refreshes once and retries.
    """
    http = build_http()
    http.timeout = HTTP_TIMEOUT_SECONDS
    return google_auth_httplib2.AuthorizedHttp(
        creds, http=http, refresh_status_codes=(401,) if refresh_on_401 else ()
    )


def youtube_service(creds: Credentials, endpoints: Endpoints) -> Resource:
    return build_from_document(_document(endpoints.api_root), http=authorized_http(creds))
