"""Secrets never reach a log line, whatever shape they come in."""

from __future__ import annotations

import logging

from core.logging import RedactingFilter, redact, register_secret


def test_oauth_token_shapes_are_redacted() -> None:
    line = (
        "POST /token refresh_token=1//0gAbCdEfGhIjKlMnOp access_token: ya29.a0AfB_xyz123 "
        "Authorization: Bearer abcdefghijklmnop client_secret=GOCSPX-supersecret"
    )
    cleaned = redact(line)
    for secret in (
        "1//0gAbCdEfGhIjKlMnOp",
        "ya29.a0AfB_xyz123",
        "abcdefghijklmnop",
        "GOCSPX-supersecret",
    ):
        assert secret not in cleaned
    assert "[redacted]" in cleaned


def test_registered_secret_is_redacted_wherever_it_appears() -> None:
    register_secret("sandbox-refresh-QWERTYUIOP")
    assert "QWERTYUIOP" not in redact("got sandbox-refresh-QWERTYUIOP back")


def test_filter_rewrites_records_and_tracebacks() -> None:
    register_secret("tok-1234567890abc")
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "failed with %s", ("tok-1234567890abc",), None
    )
    RedactingFilter().filter(record)
    assert "tok-1234567890abc" not in record.getMessage()
