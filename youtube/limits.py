"""YouTube's metadata and file limits as data, with checks that name every broken rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

TITLE_MAX_CHARS = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX_CHARS = 500
# A tag with a space is sent quoted, so it costs two more characters of the total.
TAG_QUOTES_COST = 2
PRIVACY_STATUSES = ("private", "unlisted", "public")
ANGLE_BRACKETS = ("<", ">")
# Raised from 2 MB in September 2026; the discovery document says 52428800.
THUMBNAIL_MAX_BYTES = 52_428_800
# How much of a file the sniffers need to see (an MPEG-TS check reads offset 188).
HEAD_BYTES = 512

_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_EBML = b"\x1a\x45\xdf\xa3"
_ASF = b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"
_MPEG_PS = b"\x00\x00\x01\xba"
_TS_SYNC = 0x47
_TS_PACKET = 188
# Older QuickTime files start with one of these atoms instead of 'ftyp'.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def validate_metadata(
    *,
    title: str,
    description: str,
    tags: list[str],
    privacy: str,
    publish_at: datetime | None,
    made_for_kids: bool | None,
    category_id: str | None,
    now: datetime,
    categories: set[str] | None = None,
) -> dict[str, str]:
    """Every problem YouTube would reject, as field -> message; empty when all is fine."""
    problems = {
        "title": _title_problem(title),
        "description": _description_problem(description),
        "tags": _tags_problem(tags),
        "privacy": _privacy_problem(privacy),
        "publish_at": _publish_at_problem(publish_at, privacy, now),
        "made_for_kids": _made_for_kids_problem(made_for_kids),
        "category_id": _category_problem(category_id, categories),
    }
    return {field: message for field, message in problems.items() if message}


def tags_length(tags: Iterable[str]) -> int:
    """The total YouTube counts: tags, the commas between them, quotes around spaced tags."""
    kept = [tag.strip() for tag in tags if tag.strip()]
    quoted = sum(TAG_QUOTES_COST for tag in kept if " " in tag)
    commas = max(len(kept) - 1, 0)
    return sum(len(tag) for tag in kept) + quoted + commas


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, without repeats (the first spelling wins)."""
    seen: set[str] = set()
    tags: list[str] = []
    for piece in text.split(","):
        tag = " ".join(piece.split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def validate_thumbnail(head: bytes, size: int) -> str | None:
    """Why YouTube would refuse this thumbnail (type by magic bytes, size), or None."""
    problems = []
    if not (head.startswith(_JPEG) or head.startswith(_PNG)):
        problems.append("the thumbnail must be a JPEG or PNG image")
    if size > THUMBNAIL_MAX_BYTES:
        problems.append(
            f"the thumbnail is {size:,} bytes ({size / 1_048_576:.1f} MB); "
            f"YouTube allows at most {THUMBNAIL_MAX_BYTES:,} bytes (50 MB)"
        )
    return "; ".join(problems) or None


def image_mimetype(head: bytes) -> str | None:
    """image/png or image/jpeg by the first bytes, or None for anything else."""
    if head.startswith(_PNG):
        return "image/png"
    if head.startswith(_JPEG):
        return "image/jpeg"
    return None


def sniff_video_container(head: bytes) -> str | None:
    """A short name for the video container the first bytes announce, or None."""
    box_type = head[4:8]
    if box_type == b"ftyp":
        return _iso_brand(head[8:12])
    if box_type in _QUICKTIME_ATOMS:
        return "mov"
    if head.startswith(_EBML):
        return "webm" if b"webm" in head[:HEAD_BYTES] else "mkv"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith(_MPEG_PS):
        return "mpeg-ps"
    if _ts_synced(head, first=0, packet=_TS_PACKET):
        return "mpeg-ts"
    if _ts_synced(head, first=4, packet=_TS_PACKET + 4):
        return "m2ts"  # Blu-ray/AVCHD: each 188-byte packet has a 4-byte timestamp in front
    if head.startswith(_ASF):
        return "wmv"
    if head.startswith(b"OggS"):
        return "ogg"
    return None


def _iso_brand(brand: bytes) -> str:
    if brand == b"qt  ":
        return "mov"
    if brand.startswith((b"3gp", b"3g2")):
        return "3gp"
    return "mp4"


def _ts_synced(head: bytes, *, first: int, packet: int) -> bool:
    # One 0x47 is too common to mean anything; two a packet apart are the signature.
    second = first + packet
    return len(head) > second and head[first] == _TS_SYNC == head[second]


def _has_angle_brackets(text: str) -> bool:
    return any(bracket in text for bracket in ANGLE_BRACKETS)


def _title_problem(title: str) -> str | None:
    if not title.strip():
        return "a title is required"
    problems = []
    if len(title) > TITLE_MAX_CHARS:
        problems.append(
            f"the title is {len(title)} characters; YouTube allows at most {TITLE_MAX_CHARS}"
        )
    if _has_angle_brackets(title):
        problems.append("the title must not contain < or >")
    return "; ".join(problems) or None


def _description_problem(description: str) -> str | None:
    problems = []
    size = len(description.encode("utf-8"))
    if size > DESCRIPTION_MAX_BYTES:
        # YouTube counts bytes, so accents and emoji use up the limit 2 to 4 times faster.
        problems.append(
            f"the description is {size:,} bytes in UTF-8 ({len(description):,} characters; "
            f"accented letters and emoji take 2 to 4 bytes each); "
            f"YouTube allows at most {DESCRIPTION_MAX_BYTES:,} bytes"
        )
    if _has_angle_brackets(description):
        problems.append("the description must not contain < or >")
    return "; ".join(problems) or None


def _tags_problem(tags: list[str]) -> str | None:
    problems = []
    total = tags_length(tags)
    if total > TAGS_MAX_CHARS:
        problems.append(
            f"the tags come to {total} characters (commas between tags count, and a tag "
            f"with a space counts {TAG_QUOTES_COST} more); YouTube allows at most "
            f"{TAGS_MAX_CHARS}"
        )
    bracketed = [tag.strip() for tag in tags if _has_angle_brackets(tag)]
    if bracketed:
        names = ", ".join(repr(tag) for tag in bracketed)
        problems.append(f"tags must not contain < or >: {names}")
    return "; ".join(problems) or None


def _privacy_problem(privacy: str) -> str | None:
    if privacy in PRIVACY_STATUSES:
        return None
    return f"privacy must be private, unlisted or public, not {privacy!r}"


def _publish_at_problem(publish_at: datetime | None, privacy: str, now: datetime) -> str | None:
    if publish_at is None:
        return None
    problems = []
    if privacy != "private":
        problems.append(
            "publish at needs privacy private: YouTube publishes the private video at that time"
        )
    when = _as_utc(publish_at)
    if when <= _as_utc(now):
        problems.append(f"publish at {when:%Y-%m-%d %H:%M} UTC is not in the future")
    return "; ".join(problems) or None


def _made_for_kids_problem(made_for_kids: bool | None) -> str | None:
    # Forms and JSON can hand over "yes" or 1; Google wants a real boolean.
    if made_for_kids is None or isinstance(made_for_kids, bool):
        return None
    return f"made for kids must be yes or no, not {made_for_kids!r}"


def _category_problem(category_id: str | None, categories: set[str] | None) -> str | None:
    if category_id is None or categories is None or category_id in categories:
        return None
    return (
        f"category {category_id!r} is not available in this region; "
        f"choose one of {', '.join(sorted(categories, key=_numeric_first))}"
    )


def _numeric_first(category_id: str) -> tuple[int, str]:
    return (int(category_id) if category_id.isdigit() else 1 << 30, category_id)


def _as_utc(value: datetime) -> datetime:
    # Naive values come back from SQLite and are UTC by this project's rule.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
