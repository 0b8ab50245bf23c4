"""Content-Range parsing and Range answers of the resumable upload protocol."""

from __future__ import annotations

import re
from dataclasses import dataclass

CHUNK_GRANULARITY = 256 * 1024

_RANGE = re.compile(r"^bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)$")


@dataclass(frozen=True)
class ContentRange:
    """`bytes FIRST-LAST/TOTAL`; first/last are None for a status query (`bytes */TOTAL`)."""

    first: int | None
    last: int | None
    total: int | None

    @property
    def is_query(self) -> bool:
        return self.first is None

    @property
    def length(self) -> int:
        if self.first is None or self.last is None:
            return 0
        return self.last - self.first + 1

    @property
    def is_final(self) -> bool:
        return self.total is not None and self.last == self.total - 1


def parse_content_range(value: str) -> ContentRange:
    match = _RANGE.match(value.strip())
    if not match:
        raise ValueError(f"Failed to parse Content-Range header {value!r}.")
    first_s, last_s, total_s = match.groups()
    total = None if total_s == "*" else int(total_s)
    if first_s is None:
        return ContentRange(None, None, total)
    first, last = int(first_s), int(last_s)
    if last < first:
        raise ValueError(f"Content-Range {value!r} ends before it starts.")
    if total is not None and last >= total:
        raise ValueError(f"Content-Range {value!r} reaches past the total size.")
    return ContentRange(first, last, total)


def range_header(stored: int) -> str | None:
    """The Range of a 308 answer; none at all while nothing is stored, as Google does."""
    return f"bytes=0-{stored - 1}" if stored > 0 else None


def chunk_size_problem(crange: ContentRange) -> str | None:
    """Every chunk but the last must be a multiple of 256 KiB."""
    if crange.is_final or crange.length % CHUNK_GRANULARITY == 0:
        return None
    return (
        f"The chunk is {crange.length} bytes; every chunk except the last must be a "
        f"multiple of {CHUNK_GRANULARITY} bytes (256 KiB)."
    )
