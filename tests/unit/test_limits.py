"""YouTube's metadata and file limits are checked the way YouTube counts them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from youtube.limits import (
    parse_tags,
    sniff_video_container,
    tags_length,
    validate_metadata,
    validate_thumbnail,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def problems(**changes: Any) -> dict[str, str]:
    fields: dict[str, Any] = {
        "title": "Launch day",
        "description": "Everything we shipped.",
        "tags": ["launch", "product demo"],
        "privacy": "public",
        "publish_at": None,
        "made_for_kids": False,
        "category_id": "22",
        "now": NOW,
    }
    return validate_metadata(**{**fields, **changes})


def test_good_metadata_has_no_problems() -> None:
    assert problems() == {}


@pytest.mark.parametrize("title", ["", "   "])
def test_title_is_required(title: str) -> None:
    assert problems(title=title) == {"title": "a title is required"}


def test_title_limit_is_100_characters_not_bytes() -> None:
    assert problems(title="x" * 100) == {}
    assert problems(title="é" * 100) == {}  # 200 bytes, still 100 characters
    message = problems(title="x" * 101)["title"]
    assert "101 characters" in message and "at most 100" in message


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize("bracket", ["<", ">"])
def test_angle_brackets_are_refused(field: str, bracket: str) -> None:
    assert "< or >" in problems(**{field: f"a {bracket} b"})[field]


def test_description_limit_counts_utf8_bytes() -> None:
    assert problems(description="x" * 5000) == {}
    assert problems(description="é" * 2500) == {}  # exactly 5000 bytes
    accented = problems(description="é" * 2501)["description"]
    assert "5,002 bytes" in accented and "2,501 characters" in accented
    assert "at most 5,000 bytes" in accented


def test_emoji_fill_the_description_four_times_faster() -> None:
    message = problems(description="🎬" * 1251)["description"]
    assert "5,004 bytes" in message and "1,251 characters" in message


@pytest.mark.parametrize(
    ("tags", "total"),
    [
        ([], 0),
        (["a"], 1),
        (["a", "b"], 3),  # the comma counts
        (["two words"], 11),  # counted as "two words" with quotes
        (["a", "", "  ", "b c"], 7),  # blank tags are ignored
    ],
)
def test_tags_length_counts_like_youtube(tags: list[str], total: int) -> None:
    assert tags_length(tags) == total


def test_tag_total_limit_includes_commas() -> None:
    assert problems(tags=["ab"] * 167) == {}  # 334 letters + 166 commas = 500
    message = problems(tags=["ab"] * 168)["tags"]
    assert "503 characters" in message and "at most 500" in message


def test_tag_total_limit_includes_quotes_for_spaced_tags() -> None:
    assert problems(tags=["a" * 496 + " b"]) == {}  # 498 characters + 2 quotes = 500
    message = problems(tags=["a" * 497 + " b"])["tags"]
    assert "501 characters" in message


def test_tags_with_angle_brackets_are_named() -> None:
    message = problems(tags=["fine", "<bad>"])["tags"]
    assert "'<bad>'" in message and "'fine'" not in message


def test_parse_tags_trims_and_drops_repeats_keeping_first_spelling() -> None:
    text = " Travel, travel ,food,, Food  Tour , food tour,FOOD "
    assert parse_tags(text) == ["Travel", "food", "Food Tour"]
    assert parse_tags("") == []


@pytest.mark.parametrize("privacy", ["private", "unlisted", "public"])
def test_known_privacy_statuses_pass(privacy: str) -> None:
    assert problems(privacy=privacy) == {}


def test_unknown_privacy_is_named() -> None:
    message = problems(privacy="friends")["privacy"]
    assert "'friends'" in message and "private, unlisted or public" in message


@pytest.mark.parametrize("privacy", ["public", "unlisted"])
def test_publish_at_needs_private(privacy: str) -> None:
    message = problems(privacy=privacy, publish_at=NOW + timedelta(days=1))["publish_at"]
    assert message == (
        "publish at needs privacy private: YouTube publishes the private video at that time"
    )


def test_publish_at_must_be_in_the_future() -> None:
    assert problems(privacy="private", publish_at=NOW + timedelta(minutes=1)) == {}
    message = problems(privacy="private", publish_at=NOW - timedelta(hours=1))["publish_at"]
    assert "2026-11-25 08:00 UTC is not in the future" in message
    # A naive value (as SQLite returns it) is read as UTC.
    naive_past = datetime(2026, 11, 25, 8, 59)
    assert "not in the future" in problems(privacy="private", publish_at=naive_past)["publish_at"]


def test_made_for_kids_must_be_a_boolean_or_unset() -> None:
    assert problems(made_for_kids=None) == {}
    assert problems(made_for_kids=True) == {}
    assert "'yes'" in problems(made_for_kids="yes")["made_for_kids"]


def test_category_must_be_allowed_when_a_set_is_given() -> None:
    allowed = {"22", "10", "1"}
    assert problems(category_id="10", categories=allowed) == {}
    assert problems(category_id="99") == {}  # no list, nothing to check against
    message = problems(category_id="99", categories=allowed)["category_id"]
    assert "'99'" in message and "1, 10, 22" in message


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        title="",
        description="<",
        tags=["x" * 501],
        privacy="public",
        publish_at=NOW - timedelta(days=1),
        made_for_kids="no",
        category_id="99",
        categories={"22"},
    )
    assert set(found) == {
        "title",
        "description",
        "tags",
        "publish_at",
        "made_for_kids",
        "category_id",
    }
    assert "needs privacy private" in found["publish_at"]
    assert "not in the future" in found["publish_at"]


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize("head", [JPEG_HEAD, PNG_HEAD])
def test_jpeg_and_png_thumbnails_up_to_50_mb_pass(head: bytes) -> None:
    assert validate_thumbnail(head, 52_428_800) is None
    assert validate_thumbnail(head, 3 * 1024 * 1024) is None  # above the old 2 MB limit


def test_thumbnail_over_50_mb_is_refused_with_its_size() -> None:
    message = validate_thumbnail(JPEG_HEAD, 52_428_801)
    assert message is not None
    assert "52,428,801 bytes" in message and "52,428,800" in message


@pytest.mark.parametrize("head", [b"GIF89a\x01\x00", b"RIFF\x00\x00\x00\x00WEBPVP8 ", b""])
def test_thumbnail_of_other_types_is_refused(head: bytes) -> None:
    message = validate_thumbnail(head, 1000)
    assert message is not None and "JPEG or PNG" in message


def padded(head: bytes, size: int = 512) -> bytes:
    return head + b"\x00" * (size - len(head))


def ts_packets(first: int, packet: int) -> bytes:
    data = bytearray(padded(b"", 512))
    data[first] = data[first + packet] = 0x47
    return bytes(data)


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (padded(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00"), "mp4"),
        (padded(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00"), "mov"),
        (padded(b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat"), "mov"),
        (padded(b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00"), "3gp"),
        (padded(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), "webm"),
        (padded(b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska"), "mkv"),
        (padded(b"RIFF\x00\x10\x00\x00AVI LIST"), "avi"),
        (padded(b"FLV\x01\x05\x00\x00\x00\x09"), "flv"),
        (padded(b"\x00\x00\x01\xba\x44\x00\x04\x00"), "mpeg-ps"),
        (ts_packets(0, 188), "mpeg-ts"),
        (ts_packets(4, 192), "m2ts"),
        (padded(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa"), "wmv"),
        (padded(b"OggS\x00\x02\x00\x00"), "ogg"),
    ],
)
def test_video_containers_are_recognised(head: bytes, name: str) -> None:
    assert sniff_video_container(head) == name


@pytest.mark.parametrize(
    "head",
    [
        b"",
        padded(JPEG_HEAD),
        padded(b"RIFF\x00\x10\x00\x00WAVEfmt "),  # RIFF, but audio
        padded(b"\x47\x40\x00\x10"),  # one sync byte is not a transport stream
        b"\x47" + b"\x00" * 100,  # too short to see the second packet
        b"just some text that happens to be long enough" * 12,
    ],
)
def test_non_videos_are_not_recognised(head: bytes) -> None:
    assert sniff_video_container(head) is None
