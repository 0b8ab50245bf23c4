"""The one place that knows Google's error reasons: each answer becomes a typed error
with the action TubeFleet should take."""

from __future__ import annotations

import http.client
import json
import ssl
from enum import StrEnum
from typing import Any

import httplib2
from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import HttpError, ResumableUploadError


class Action(StrEnum):
    RETRY = "retry"  # transient: back off and try again
    REFRESH = "refresh"  # 401: refresh the access token once, then retry
    WAIT_FOR_QUOTA = "wait_for_quota"  # quotaExceeded: nothing until the Pacific reset
    REST_CHANNEL = "rest_channel"  # uploadLimitExceeded: this channel is done for the day
    FIX_INPUT = "fix_input"  # invalid metadata: never retry
    FORBIDDEN = "forbidden"  # the token may not act on this (wrong channel, no permission)
    NOT_GRANTED = "not_granted"  # the grant lacks the scope this call needs: ask for consent
    REAUTH = "reauth"  # invalid_grant: the refresh token is dead, a person must reconnect
    NOT_FOUND = "not_found"  # the resource (or an upload session) is gone
    FAIL = "fail"  # anything else: fail, say what Google said


class GoogleError(Exception):
    """A Google answer, classified. `reason` is Google's machine-readable reason."""

    def __init__(self, action: Action, reason: str, message: str, status: int | None = None):
        super().__init__(f"{reason}: {message}" if reason else message)
        self.action = action
        self.reason = reason
        self.message = message
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.action in (Action.RETRY, Action.REFRESH)


_INPUT_REASONS = {
    "invalidTitle",
    "invalidDescription",
    "invalidTags",
    "invalidCategoryId",
    "invalidPublishAt",
    "invalidVideoMetadata",
    "invalidRecordingDetails",
    "invalidFilename",
    "invalidImage",
    "mediaBodyTooLarge",
    "invalidValue",
    "required",
    "badRequest",
    "invalidPlaylistSnippet",
    "playlistItemsNotAccessible",
    "mediaBodyRequired",
    "invalidContentType",
}
# Google's answer when the access token lacks every scope the method accepts.
_SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
_RATE_REASONS = {
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "backendError",
    "internalError",
    "serviceUnavailable",
}


def _details(content: bytes | str | None) -> tuple[str, str]:
    """(reason, message) from Google's JSON error body, tolerating anything else."""
    if not content:
        return "", ""
    try:
        body: Any = json.loads(content)
    except (ValueError, TypeError):
        text = content.decode(errors="replace") if isinstance(content, bytes) else str(content)
        return "", text[:300]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):  # OAuth endpoints: {"error": "invalid_grant", ...}
        return error, str(body.get("error_description", ""))
    if not isinstance(error, dict):
        return "", ""
    items = error.get("errors") or [{}]
    first = items[0] if isinstance(items, list) and items else {}
    return str(first.get("reason", "")), str(error.get("message", first.get("message", "")))


def classify_status(status: int, content: bytes | str | None) -> GoogleError:
    """Turn an HTTP status and Google's error body into a typed error."""
    reason, message = _details(content)
    message = message or f"HTTP {status}"
    if reason == "quotaExceeded":
        action = Action.WAIT_FOR_QUOTA
    elif reason == "uploadLimitExceeded":
        action = Action.REST_CHANNEL
    elif reason in _SCOPE_REASONS:
        action = Action.NOT_GRANTED
    elif reason in _RATE_REASONS or status == 429 or status >= 500:
        action = Action.RETRY
    elif status == 401:
        action = Action.REFRESH
    elif reason in _INPUT_REASONS or (status == 400 and reason.startswith("invalid")):
        action = Action.FIX_INPUT
    elif status == 403:
        action = Action.FORBIDDEN
    elif status in (404, 410):
        action = Action.NOT_FOUND
    elif status == 400:
        action = Action.FIX_INPUT
    else:
        action = Action.FAIL
    return GoogleError(action, reason or f"http{status}", message, status)


def classify(exc: BaseException) -> GoogleError:
    """Classify anything a Google call can raise."""
    if isinstance(exc, GoogleError):
        return exc
    if isinstance(exc, ResumableUploadError | HttpError):
        return classify_status(int(exc.resp.status), exc.content)
    if isinstance(exc, auth_exceptions.RefreshError):
        text = str(exc)
        if "invalid_grant" in text:
            return GoogleError(
                Action.REAUTH,
                "invalid_grant",
                "the refresh token was revoked or expired; reconnect the channel",
            )
        if "invalid_client" in text:
            return GoogleError(
                Action.FAIL,
                "invalid_client",
                "Google does not accept this project's client id or secret",
            )
        return GoogleError(Action.RETRY, "refresh_failed", text[:300])
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        # A local file problem, not the network: retrying will not help.
        return GoogleError(Action.FAIL, "localFileError", str(exc)[:300])
    if isinstance(exc, auth_exceptions.TransportError):
        return GoogleError(Action.RETRY, "transport", str(exc)[:300])
    if isinstance(exc, (OSError, ssl.SSLError, http.client.HTTPException)):
        return GoogleError(Action.RETRY, type(exc).__name__, str(exc)[:300] or "connection lost")
    if isinstance(exc, httplib2.HttpLib2Error):
        return GoogleError(Action.RETRY, type(exc).__name__, str(exc)[:300])
    return GoogleError(Action.FAIL, type(exc).__name__, str(exc)[:300])
