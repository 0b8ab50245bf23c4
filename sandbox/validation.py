"""Video metadata rules of videos.insert / videos.update, answered with YouTube's reasons."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sandbox.categories import ASSIGNABLE_IDS, DEFAULT_CATEGORY_ID
from sandbox.clock import parse_rfc3339
from sandbox.errors import ApiError, bad_request

PRIVACY_VALUES = ("private", "unlisted", "public")
LICENSE_VALUES = ("youtube", "creativeCommon")
MAX_TITLE_CHARS = 100
MAX_DESCRIPTION_BYTES = 5000
MAX_TAGS_CHARS = 500
DEFAULT_TITLE = "Untitled video"


@dataclass(frozen=True)
class VideoMetadata:
    """The writable part of a video resource, after validation."""

    title: str = DEFAULT_TITLE
    description: str = ""
    tags: list[str] = field(default_factory=list)
    category_id: str = DEFAULT_CATEGORY_ID
    default_language: str | None = None
    privacy: str = "public"
    publish_at: float | None = None
    license: str = "youtube"
    embeddable: bool = True
    public_stats_viewable: bool = True
    self_declared_made_for_kids: bool | None = None
    contains_synthetic_media: bool | None = None


def tags_length(tags: list[str]) -> int:
    """YouTube's count: characters plus separating commas; a tag with a space counts +2."""
    total = sum(len(tag) + (2 if " " in tag else 0) for tag in tags)
    return total + max(len(tags) - 1, 0)


def invalid_metadata(message: str) -> ApiError:
    return bad_request("invalidVideoMetadata", message)


def _check_title(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise bad_request("invalidTitle", "The video title is missing or empty.")
    if not isinstance(value, str):
        raise bad_request("invalidTitle", "snippet.title must be a string.")
    if len(value) > MAX_TITLE_CHARS:
        raise bad_request(
            "invalidTitle",
            f"The video title is {len(value)} characters long; at most {MAX_TITLE_CHARS} "
            "are allowed.",
        )
    if "<" in value or ">" in value:
        raise bad_request("invalidTitle", "The video title must not contain '<' or '>'.")
    return value


def _check_description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request("invalidDescription", "snippet.description must be a string.")
    size = len(value.encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        raise bad_request(
            "invalidDescription",
            f"The video description is {size} bytes long in UTF-8; at most "
            f"{MAX_DESCRIPTION_BYTES} bytes are allowed.",
        )
    if "<" in value or ">" in value:
        raise bad_request(
            "invalidDescription", "The video description must not contain '<' or '>'."
        )
    return value


def _check_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise bad_request("invalidTags", "snippet.tags must be a list of strings.")
    if any("<" in tag or ">" in tag for tag in value):
        raise bad_request("invalidTags", "Video tags must not contain '<' or '>'.")
    length = tags_length(value)
    if length > MAX_TAGS_CHARS:
        raise bad_request(
            "invalidTags",
            f"The video tags count {length} characters (commas included, +2 for each tag "
            f"with a space); at most {MAX_TAGS_CHARS} are allowed.",
        )
    return list(value)


def _check_category(value: Any, *, required: bool) -> str:
    if value is None:
        if required:
            raise bad_request(
                "invalidCategoryId",
                "snippet.categoryId is required when the snippet is updated.",
            )
        return DEFAULT_CATEGORY_ID
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if text not in ASSIGNABLE_IDS:
        raise bad_request(
            "invalidCategoryId",
            f"snippet.categoryId {value!r} is not an assignable video category; "
            "see videoCategories.list.",
        )
    return text


def _optional_bool(status: dict[str, Any], name: str) -> bool | None:
    value = status.get(name)
    if value is not None and not isinstance(value, bool):
        raise invalid_metadata(f"status.{name} must be a boolean.")
    return value


def _section(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_metadata(f"'{name}' must be a JSON object.")
    return value


def apply_snippet(
    base: VideoMetadata, snippet: dict[str, Any], *, category_required: bool
) -> VideoMetadata:
    """A snippet replaces the old one whole, as YouTube's update does."""
    language = snippet.get("defaultLanguage")
    if language is not None and not isinstance(language, str):
        raise invalid_metadata("snippet.defaultLanguage must be a string.")
    return replace(
        base,
        title=_check_title(snippet.get("title")),
        description=_check_description(snippet.get("description")),
        tags=_check_tags(snippet.get("tags")),
        category_id=_check_category(snippet.get("categoryId"), required=category_required),
        default_language=language,
    )


def apply_status(base: VideoMetadata, status: dict[str, Any], *, now: datetime) -> VideoMetadata:
    privacy = status.get("privacyStatus", base.privacy)
    if privacy not in PRIVACY_VALUES:
        raise invalid_metadata(
            f"status.privacyStatus {privacy!r} is not one of {', '.join(PRIVACY_VALUES)}."
        )
    license_ = status.get("license", "youtube")
    if license_ not in LICENSE_VALUES:
        raise invalid_metadata(
            f"status.license {license_!r} is not one of {', '.join(LICENSE_VALUES)}."
        )
    publish_at = _check_publish_at(status.get("publishAt"), privacy, now)
    embeddable = _optional_bool(status, "embeddable")
    stats = _optional_bool(status, "publicStatsViewable")
    return replace(
        base,
        privacy=privacy,
        publish_at=publish_at,
        license=license_,
        embeddable=True if embeddable is None else embeddable,
        public_stats_viewable=True if stats is None else stats,
        self_declared_made_for_kids=_optional_bool(status, "selfDeclaredMadeForKids"),
        contains_synthetic_media=_optional_bool(status, "containsSyntheticMedia"),
    )


def _check_publish_at(value: Any, privacy: str, now: datetime) -> float | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request("invalidPublishAt", "status.publishAt must be an RFC 3339 timestamp.")
    try:
        moment = parse_rfc3339(value)
    except ValueError:
        raise bad_request(
            "invalidPublishAt",
            f"status.publishAt {value!r} is not an RFC 3339 timestamp with a time zone.",
        ) from None
    if privacy != "private":
        raise bad_request(
            "invalidPublishAt",
            "status.publishAt can only be set when status.privacyStatus is private.",
        )
    if moment <= now:
        raise bad_request("invalidPublishAt", "status.publishAt must be in the future.")
    return moment.timestamp()


def parse_insert(body: Any, *, now: datetime) -> VideoMetadata:
    """Metadata of videos.insert; with no snippet at all the video gets a default title."""
    if body is None:
        return VideoMetadata()
    if not isinstance(body, dict):
        raise invalid_metadata("The request metadata must be a JSON object.")
    meta = VideoMetadata()
    if "snippet" in body:
        meta = apply_snippet(meta, _section(body, "snippet"), category_required=False)
    return apply_status(meta, _section(body, "status"), now=now)


def parse_update(
    body: Any, parts: set[str], existing: VideoMetadata, *, now: datetime
) -> VideoMetadata:
    """Metadata of videos.update: each part named in `part` is replaced by the body's."""
    if not isinstance(body, dict):
        raise invalid_metadata("The request metadata must be a JSON object.")
    meta = existing
    if "snippet" in parts:
        meta = apply_snippet(meta, _section(body, "snippet"), category_required=True)
    if "status" in parts:
        meta = apply_status(meta, _section(body, "status"), now=now)
    return meta
