"""Google's error shapes: the Data API JSON error body and the OAuth token error body."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

# The canonical status names Google puts beside the numeric code.
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)


class ApiError(Exception):
    """An error answered in the Data API's JSON shape; `reason` is what clients branch on."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "message": self.message,
            "domain": self.domain,
            "reason": self.reason,
        }
        if self.location:
            detail["location"] = self.location
            detail["locationType"] = self.location_type or "parameter"
        error: dict[str, Any] = {"code": self.status, "message": self.message, "errors": [detail]}
        if self.status in _STATUS_NAMES:
            error["status"] = _STATUS_NAMES[self.status]
        return {"error": error}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


class OAuthError(Exception):
    """An error from the token or revoke endpoint: {"error": ..., "error_description": ...}."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    @property
    def reason(self) -> str:
        return self.error

    def response(self) -> JSONResponse:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status)


def auth_error(message: str = "Request had invalid authentication credentials.") -> ApiError:
    return ApiError(
        401,
        "authError",
        message,
        location="Authorization",
        location_type="header",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def quota_exceeded() -> ApiError:
    return ApiError(403, "quotaExceeded", QUOTA_MESSAGE, domain="youtube.quota")


def forbidden(message: str, domain: str = "youtube.video") -> ApiError:
    return ApiError(403, "forbidden", message, domain=domain)


def bad_request(reason: str, message: str, domain: str = "youtube.video") -> ApiError:
    return ApiError(400, reason, message, domain=domain)


def not_found(reason: str, message: str, domain: str) -> ApiError:
    return ApiError(404, reason, message, domain=domain)


def required_parameter(name: str) -> ApiError:
    return ApiError(
        400,
        "required",
        f"Required parameter: {name}",
        location=name,
        location_type="parameter",
    )


class ControlError(Exception):
    """A refused control-API request (bad input, unknown id, conflict)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.message}, status_code=self.status)
