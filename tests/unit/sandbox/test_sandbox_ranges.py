"""Content-Range parsing, the 308 Range answer and the 256 KiB chunk rule."""

from __future__ import annotations

import pytest

from sandbox.ranges import ContentRange, chunk_size_problem, parse_content_range, range_header

KIB256 = 256 * 1024


def test_parse_chunk_and_query_forms():
    assert parse_content_range("bytes 0-262143/1000000") == ContentRange(0, 262143, 1000000)
    assert parse_content_range("bytes 262144-524287/*") == ContentRange(262144, 524287, None)
    assert parse_content_range("bytes */1000000").is_query
    assert parse_content_range("bytes */*") == ContentRange(None, None, None)


@pytest.mark.parametrize(
    "value", ["bytes 5-4/10", "bytes 0-10/10", "0-1/2", "bytes a-b/c", "bytes 0-1/2, 3-4/5", ""]
)
def test_malformed_ranges_are_refused(value):
    with pytest.raises(ValueError):
        parse_content_range(value)


def test_range_header_is_absent_when_nothing_is_stored():
    assert range_header(0) is None
    assert range_header(1) == "bytes=0-0"
    assert range_header(KIB256) == "bytes=0-262143"


def test_only_the_last_chunk_may_be_short():
    assert chunk_size_problem(ContentRange(0, KIB256 - 1, 10 * KIB256)) is None
    assert chunk_size_problem(ContentRange(0, 2 * KIB256 - 1, None)) is None
    assert chunk_size_problem(ContentRange(KIB256, KIB256 + 9, KIB256 + 10)) is None
    assert "256 KiB" in chunk_size_problem(ContentRange(0, 99_999, 10 * KIB256))
    assert chunk_size_problem(ContentRange(0, 99_999, None)) is not None
