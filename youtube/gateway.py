"""The one door to Google: reserve quota, call, classify the answer, refresh once on 401.

The gateway knows nothing of our database: whoever builds it passes a quota gate
(reserve/settle, from core) and a token source (fresh credentials, from core's
vault). Every Data API call TubeFleet makes goes through `Gateway.call`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import Resource
from googleapiclient.http import HttpRequest

from youtube.client import Endpoints, authorized_http, youtube_service
from youtube.errors import Action, GoogleError, classify
from youtube.upload import ResumableUpload


class QuotaGate(Protocol):
    """Charges a call before it is made (raises when no quota is left)."""

    def reserve(self, method: str) -> Any: ...

    def settle(self, reservation: Any, outcome: str, *, sent: bool = True) -> None: ...

    def exhausted(self, reservation: Any) -> None: ...


class TokenSource(Protocol):
    """Credentials for one channel; `refreshed` forces a new access token."""

    def current(self) -> Credentials: ...

    def refreshed(self) -> Credentials: ...


class Gateway:
    def __init__(self, *, endpoints: Endpoints, tokens: TokenSource, quota: QuotaGate) -> None:
        self.endpoints = endpoints
        self.tokens = tokens
        self.quota = quota

    def service(self, *, fresh: bool = False) -> Resource:
        creds = self.tokens.refreshed() if fresh else self.tokens.current()
        return youtube_service(creds, self.endpoints)

    def call(self, method: str, build: Callable[[Resource], HttpRequest]) -> Any:
        """Run `build(service).execute()` as `method` (e.g. "channels.list")."""
        refreshed = False
        while True:
            # Credentials and the request first (a dead token or a missing file must not
            # cost a reservation); building sends nothing.
            request = build(self.service(fresh=False))
            reservation = self.quota.reserve(method)
            try:
                result = request.execute(num_retries=0)
            except Exception as exc:
                error = classify(exc)
                if error.action == Action.REFRESH and not refreshed:
                    # An unauthenticated request is not charged to the project.
                    self.quota.settle(reservation, error.reason, sent=False)
                    self.tokens.refreshed()
                    refreshed = True
                    continue
                self.settle_error(reservation, error)
                raise error from None
            self.quota.settle(reservation, "ok")
            return result

    def settle_error(self, reservation: Any, error: GoogleError) -> None:
        """Record a failed call and stop a bucket Google says is empty.

        A request that may have reached Google stays charged (Google charges failed
        calls too); only an unauthenticated one (401) is given back.
        """
        self.quota.settle(reservation, error.reason, sent=error.status != 401)
        if error.action == Action.WAIT_FOR_QUOTA:
            self.quota.exhausted(reservation)

    def upload(
        self, upload: ResumableUpload, on_chunk: Callable[[int, int], bool]
    ) -> dict[str, Any]:
        """Upload a video through a resumable session; returns the video resource.

        A stored session is asked where it stands first (free: only starting a session
        is a videos.insert call). A new session is charged before it is started. A 401
        refreshes the token once. Other errors propagate for the caller's backoff.
        """
        refreshed = False
        while True:
            upload.check_file()  # a missing file must not cost quota
            creds = self.tokens.current()
            http = authorized_http(creds)
            service = youtube_service(creds, self.endpoints)
            reservation = None
            try:
                if upload.session_uri is not None:
                    status = upload.status(http)
                    if status.video is not None:
                        return status.video
                if upload.session_uri is None:
                    reservation = self.quota.reserve("videos.insert")
                video = upload.send(service, http, on_chunk)
            except BaseException as exc:
                if reservation is not None:
                    if upload.session_uri is not None:  # the session exists: the call was made
                        self.quota.settle(reservation, "ok")
                    elif isinstance(exc, GoogleError):  # the session start itself failed
                        self.settle_error(reservation, exc)
                    else:  # interrupted before the session start was answered
                        self.quota.settle(reservation, "interrupted")
                if isinstance(exc, GoogleError) and exc.action == Action.REFRESH and not refreshed:
                    self.tokens.refreshed()
                    refreshed = True
                    continue
                raise
            if reservation is not None:
                self.quota.settle(reservation, "ok")
            return video
