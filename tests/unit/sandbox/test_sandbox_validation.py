"""Metadata rules of videos.insert/update, with the reasons YouTube answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.errors import ApiError
from sandbox.validation import VideoMetadata, parse_insert, parse_update, tags_length

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def reason(body: object, *, now: datetime = NOW) -> str:
    with pytest.raises(ApiError) as caught:
        parse_insert(body, now=now)
    return caught.value.reason


def test_tags_length_counts_commas_and_quotes_for_spaces():
    assert tags_length([]) == 0
    assert tags_length(["abc"]) == 3
    assert tags_length(["abc", "de"]) == 3 + 1 + 2
    assert tags_length(["two words", "x"]) == (9 + 2) + 1 + 1


def test_title_rules():
    assert parse_insert({"snippet": {"title": "x" * 100}}, now=NOW).title == "x" * 100
    assert reason({"snippet": {"title": "x" * 101}}) == "invalidTitle"
    assert reason({"snippet": {"title": "   "}}) == "invalidTitle"
    assert reason({"snippet": {"description": "only"}}) == "invalidTitle"
    assert reason({"snippet": {"title": "a > b"}}) == "invalidTitle"
    assert reason({"snippet": {"title": 12}}) == "invalidTitle"


def test_description_limit_is_in_utf8_bytes():
    ok = "é" * 2500  # 5000 bytes
    assert parse_insert({"snippet": {"title": "t", "description": ok}}, now=NOW).description == ok
    assert reason({"snippet": {"title": "t", "description": ok + "a"}}) == "invalidDescription"
    assert reason({"snippet": {"title": "t", "description": "<b>"}}) == "invalidDescription"


def test_tag_limits():
    exactly = ["x" * 99] * 5  # 495 + 4 commas = 499
    assert parse_insert({"snippet": {"title": "t", "tags": exactly}}, now=NOW).tags == exactly
    assert reason({"snippet": {"title": "t", "tags": ["x" * 501]}}) == "invalidTags"
    assert reason({"snippet": {"title": "t", "tags": "not a list"}}) == "invalidTags"
    assert reason({"snippet": {"title": "t", "tags": ["<script>"]}}) == "invalidTags"


def test_category_must_be_assignable():
    assert parse_insert({"snippet": {"title": "t"}}, now=NOW).category_id == "22"
    assert parse_insert({"snippet": {"title": "t", "categoryId": 27}}, now=NOW).category_id == "27"
    assert reason({"snippet": {"title": "t", "categoryId": "44"}}) == "invalidCategoryId"
    assert reason({"snippet": {"title": "t", "categoryId": "abc"}}) == "invalidCategoryId"


def test_publish_at_needs_private_and_a_future_time():
    future = "2026-12-01T10:00:00+01:00"
    meta = parse_insert({"status": {"privacyStatus": "private", "publishAt": future}}, now=NOW)
    assert meta.publish_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC).timestamp()
    assert (
        reason({"status": {"privacyStatus": "unlisted", "publishAt": future}}) == "invalidPublishAt"
    )
    assert reason({"status": {"publishAt": future}}) == "invalidPublishAt"  # default public
    assert (
        reason({"status": {"privacyStatus": "private", "publishAt": "2026-11-22T11:59:59Z"}})
        == "invalidPublishAt"
    )
    assert (
        reason({"status": {"privacyStatus": "private", "publishAt": "2026-12-01T10:00:00"}})
        == "invalidPublishAt"
    )


def test_malformed_metadata():
    assert reason(["not", "an", "object"]) == "invalidVideoMetadata"
    assert reason({"snippet": "text"}) == "invalidVideoMetadata"
    assert reason({"status": {"privacyStatus": "friends"}}) == "invalidVideoMetadata"
    assert reason({"status": {"selfDeclaredMadeForKids": "yes"}}) == "invalidVideoMetadata"


def test_no_metadata_gives_defaults():
    assert parse_insert(None, now=NOW) == VideoMetadata()


def test_update_replaces_only_the_named_parts():
    existing = VideoMetadata(title="old", tags=["a"], privacy="unlisted")
    body = {
        "id": "v",
        "snippet": {"title": "new", "categoryId": "10"},
        "status": {"privacyStatus": "public"},
    }
    meta = parse_update(body, {"snippet"}, existing, now=NOW)
    assert (meta.title, meta.tags, meta.category_id, meta.privacy) == ("new", [], "10", "unlisted")
    with pytest.raises(ApiError) as caught:
        parse_update({"id": "v", "snippet": {"title": "x"}}, {"snippet"}, existing, now=NOW)
    assert caught.value.reason == "invalidCategoryId"
