"""Who is calling the Data API: bearer token -> grant, project, channel and scopes."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from sandbox import directory, grants
from sandbox.errors import ApiError, auth_error
from sandbox.state import Sandbox
from sandbox.store import Row

_AUTH = "https://www.googleapis.com/auth/"
YOUTUBE = _AUTH + "youtube"
FORCE_SSL = _AUTH + "youtube.force-ssl"
READONLY = _AUTH + "youtube.readonly"
UPLOAD = _AUTH + "youtube.upload"
PARTNER = _AUTH + "youtubepartner"
AUDIT = _AUTH + "youtubepartner-channel-audit"
MEMBERSHIPS = _AUTH + "youtube.channel-memberships.creator"
ANALYTICS = _AUTH + "yt-analytics.readonly"
ANALYTICS_MONETARY = _AUTH + "yt-analytics-monetary.readonly"

SCOPE_DESCRIPTIONS = {
    YOUTUBE: "Manage your YouTube account",
    FORCE_SSL: "See, edit, and permanently delete your YouTube videos, ratings, comments "
    "and captions",
    READONLY: "View your YouTube account",
    UPLOAD: "Manage your YouTube videos",
    PARTNER: "View and manage your assets and associated content on YouTube",
    AUDIT: "View private information of your YouTube channel relevant during the audit "
    "process with a YouTube partner",
    MEMBERSHIPS: "See a list of your current active channel members, their current level, "
    "and when they became a member",
    ANALYTICS: "View YouTube Analytics reports for your YouTube content",
    ANALYTICS_MONETARY: "View monetary and non-monetary YouTube Analytics reports for your "
    "YouTube content",
    "openid": "Associate you with your personal info on Google",
    "email": "See your primary Google Account email address",
    "profile": "See your personal info, including any personal info you've made publicly available",
    _AUTH + "userinfo.email": "See your primary Google Account email address",
    _AUTH + "userinfo.profile": "See your personal info",
}
KNOWN_SCOPES = frozenset(SCOPE_DESCRIPTIONS)

_READ = frozenset({YOUTUBE, FORCE_SSL, READONLY, PARTNER})
_WRITE = frozenset({YOUTUBE, FORCE_SSL, PARTNER})
_UPLOAD = _WRITE | {UPLOAD}

# Which scopes allow each method, as the discovery document lists them.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "channels.list": _READ | {AUDIT},
    "videos.list": _READ,
    "videos.insert": _UPLOAD,
    "videos.update": _WRITE,
    "videos.delete": _WRITE,
    "thumbnails.set": _UPLOAD,
    "playlists.list": _READ,
    "playlists.insert": _WRITE,
    "playlistItems.list": _READ,
    "playlistItems.insert": _WRITE,
    "videoCategories.list": _READ,
    "search.list": _READ,
    # YouTube Analytics API v2, as its own discovery document lists them.
    "reports.query": frozenset({YOUTUBE, READONLY, PARTNER, ANALYTICS, ANALYTICS_MONETARY}),
}


@dataclass(frozen=True)
class Identity:
    grant_id: int
    project: Row
    channel_id: str
    scopes: frozenset[str]

    @property
    def client_id(self) -> str:
        return str(self.project["client_id"])


@dataclass(frozen=True)
class Caller:
    """The outcome of reading the credentials: an identity, or why there is none."""

    identity: Identity | None = None
    problem: ApiError | None = None
    # Known even for an expired token, so the log can say whose call it was.
    client_id: str | None = None
    channel_id: str | None = None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("access_token") or None


def identify(sandbox: Sandbox, request: Request) -> Caller:
    token = bearer_token(request)
    if token is None:
        return Caller(
            problem=auth_error(
                "The request is missing an OAuth 2 access token (Authorization: Bearer ...)."
            )
        )
    row = grants.lookup_access_token(sandbox.store, token)
    if row is None:
        return Caller(problem=auth_error("The access token is not one this server issued."))
    project = directory.project_by_id(sandbox.store, row["project_id"])
    client_id = project["client_id"] if project else None
    known = {"client_id": client_id, "channel_id": row["channel_id"]}
    if row["revoked_at"] is not None:
        return Caller(problem=auth_error("The access token's grant was revoked."), **known)
    if row["invalidated"]:
        return Caller(problem=auth_error("The access token is no longer valid."), **known)
    if row["expires_at"] <= sandbox.clock.now_ts():
        return Caller(problem=auth_error("The access token has expired."), **known)
    if project is None:
        return Caller(problem=auth_error("The access token's project was deleted."), **known)
    identity = Identity(
        grant_id=row["id"],
        project=project,
        channel_id=row["channel_id"],
        scopes=frozenset(row["token_scopes"].split()),
    )
    return Caller(identity=identity, **known)


def require_scope(identity: Identity, method: str) -> None:
    allowed = METHOD_SCOPES.get(method)
    if allowed is not None and not identity.scopes & allowed:
        raise ApiError(
            403,
            "insufficientPermissions",
            f"Request had insufficient authentication scopes for {method}; it needs one of: "
            + ", ".join(sorted(allowed)),
        )
