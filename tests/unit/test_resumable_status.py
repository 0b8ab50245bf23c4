"""Asking a resumable session where it stands (the answer that makes crashes harmless)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from youtube.errors import Action, GoogleError
from youtube.upload import query_session


class Response(dict):
    def __init__(self, status: int, **headers: str) -> None:
        super().__init__(headers)
        self.status = status


class FakeHttp:
    def __init__(self, status: int, content: bytes = b"", **headers: str) -> None:
        self.answer = (Response(status, **headers), content)
        self.sent: list[tuple[str, str, Any, dict[str, str]]] = []

    def request(
        self, uri: str, method: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[Response, bytes]:
        self.sent.append((uri, method, body, headers or {}))
        return self.answer


def test_the_question_is_an_empty_put_with_a_star_range() -> None:
    http = FakeHttp(308, range="bytes=0-1048575")
    query_session(http, "https://up/session?upload_id=x", 5_000_000)
    uri, method, body, headers = http.sent[0]
    assert (uri, method, body) == ("https://up/session?upload_id=x", "PUT", b"")
    assert headers["Content-Range"] == "bytes */5000000"


def test_308_with_range_means_continue_after_the_last_stored_byte() -> None:
    status = query_session(FakeHttp(308, range="bytes=0-1048575"), "u", 5_000_000)
    assert status.confirmed == 1_048_576 and status.video is None and not status.gone


def test_308_without_range_means_nothing_is_stored_yet() -> None:
    assert query_session(FakeHttp(308), "u", 5_000_000).confirmed == 0


def test_a_finished_session_answers_with_the_video() -> None:
    status = query_session(FakeHttp(200, json.dumps({"id": "abc123"}).encode()), "u", 10)
    assert status.video == {"id": "abc123"} and status.confirmed == 10


def test_an_expired_session_is_gone() -> None:
    assert query_session(FakeHttp(404), "u", 10).gone
    assert query_session(FakeHttp(410), "u", 10).gone


def test_other_answers_are_classified() -> None:
    with pytest.raises(GoogleError) as raised:
        query_session(
            FakeHttp(
                503,
                b'{"error": {"code": 503, "message": "busy", "errors": '
                b'[{"reason": "backendError"}]}}',
            ),
            "u",
            10,
        )
    assert raised.value.action == Action.RETRY
