"""Google's answers become the action TubeFleet takes (the one place that knows reasons)."""

from __future__ import annotations

import json

import pytest

from youtube.errors import Action, classify, classify_status


def body(code: int, reason: str, domain: str = "youtube.video", message: str = "msg") -> bytes:
    return json.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "errors": [{"reason": reason, "domain": domain, "message": message}],
            }
        }
    ).encode()


@pytest.mark.parametrize(
    ("status", "reason", "action"),
    [
        (403, "quotaExceeded", Action.WAIT_FOR_QUOTA),
        (400, "uploadLimitExceeded", Action.REST_CHANNEL),
        (403, "rateLimitExceeded", Action.RETRY),
        (403, "userRateLimitExceeded", Action.RETRY),
        (429, "", Action.RETRY),
        (503, "backendError", Action.RETRY),
        (500, "internalError", Action.RETRY),
        (401, "authError", Action.REFRESH),
        (403, "forbidden", Action.FORBIDDEN),
        (400, "invalidTitle", Action.FIX_INPUT),
        (400, "invalidDescription", Action.FIX_INPUT),
        (400, "invalidTags", Action.FIX_INPUT),
        (400, "invalidCategoryId", Action.FIX_INPUT),
        (400, "invalidPublishAt", Action.FIX_INPUT),
        (400, "invalidVideoMetadata", Action.FIX_INPUT),
        (404, "notFound", Action.NOT_FOUND),
        (403, "insufficientPermissions", Action.NOT_GRANTED),
        (400, "badRequest", Action.FIX_INPUT),  # e.g. an Analytics query no report supports
        (400, "required", Action.FIX_INPUT),
    ],
)
def test_each_reason_maps_to_its_action(status: int, reason: str, action: Action) -> None:
    error = classify_status(status, body(status, reason, message=f"{reason} happened"))
    assert error.action == action
    if reason:
        assert error.reason == reason and f"{reason} happened" in str(error)


def test_oauth_error_bodies_are_understood() -> None:
    error = classify_status(
        400, json.dumps({"error": "invalid_grant", "error_description": "Token has been expired"})
    )
    assert error.reason == "invalid_grant" and "expired" in error.message


def test_non_json_bodies_still_give_a_message() -> None:
    error = classify_status(502, b"<html>Bad Gateway</html>")
    assert error.action == Action.RETRY and "Bad Gateway" in error.message


def test_connection_errors_are_transient() -> None:
    assert classify(ConnectionResetError("reset by peer")).action == Action.RETRY
    assert classify(TimeoutError("timed out")).action == Action.RETRY
    assert classify(ValueError("something else")).action == Action.FAIL


def test_a_missing_scope_is_not_granted_and_not_retried() -> None:
    error = classify_status(403, body(403, "insufficientPermissions", domain="global"))
    assert error.action == Action.NOT_GRANTED and not error.retryable
