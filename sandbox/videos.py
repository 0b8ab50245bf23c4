"""Video rows: creation from an upload, metadata, privacy locks and processing state."""

from __future__ import annotations

import json
from typing import Any

from sandbox import ids
from sandbox.clock import to_rfc3339
from sandbox.store import Row, Store
from sandbox.validation import VideoMetadata

FAILURE_REASONS = ("codec", "conversion", "emptyFile", "invalidFile", "tooSmall", "uploadAborted")
REJECTION_REASONS = (
    "claim",
    "copyright",
    "duplicate",
    "inappropriate",
    "legal",
    "length",
    "termsOfUse",
    "trademark",
    "uploaderAccountClosed",
    "uploaderAccountSuspended",
)
OUTCOMES = ("processed", "failed", "rejected", "processing")
# How processing failures show in processingDetails.processingFailureReason.
_PROCESSING_FAILURE = {
    "uploadAborted": "uploadFailed",
    "codec": "transcodeFailed",
    "conversion": "transcodeFailed",
}
NEVER = 1e18


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def metadata_of(row: Row) -> VideoMetadata:
    return VideoMetadata(
        title=row["title"],
        description=row["description"],
        tags=json.loads(row["tags"]),
        category_id=row["category_id"],
        default_language=row["default_language"],
        privacy=row["requested_privacy"],
        publish_at=row["publish_at"],
        license=row["license"],
        embeddable=bool(row["embeddable"]),
        public_stats_viewable=bool(row["public_stats_viewable"]),
        self_declared_made_for_kids=_bool(row["self_declared_made_for_kids"]),
        contains_synthetic_media=_bool(row["contains_synthetic_media"]),
    )


def metadata_columns(meta: VideoMetadata, *, locked: bool) -> dict[str, Any]:
    """Columns for a metadata value; a locked video keeps public/unlisted requests private."""
    stored = "private" if locked and meta.privacy in ("public", "unlisted") else meta.privacy
    return {
        "title": meta.title,
        "description": meta.description,
        "tags": json.dumps(meta.tags),
        "category_id": meta.category_id,
        "default_language": meta.default_language,
        "requested_privacy": meta.privacy,
        "privacy": stored,
        "publish_at": meta.publish_at,
        "license": meta.license,
        "embeddable": int(meta.embeddable),
        "public_stats_viewable": int(meta.public_stats_viewable),
        "self_declared_made_for_kids": None
        if meta.self_declared_made_for_kids is None
        else int(meta.self_declared_made_for_kids),
        "contains_synthetic_media": None
        if meta.contains_synthetic_media is None
        else int(meta.contains_synthetic_media),
    }


def create_video(
    store: Store,
    *,
    channel_id: str,
    project: Row,
    meta: VideoMetadata,
    content_type: str,
    byte_count: int,
    blob: str,
    upload_id: str | None,
    now: float,
    processing_delay: float,
    md5: str | None = None,
) -> Row:
    # Google locks uploads from unverified (unaudited) projects to private.
    locked = not project["verified"]
    video_id = ids.video_id()
    values = {
        "id": video_id,
        "channel_id": channel_id,
        "project_id": project["id"],
        "upload_id": upload_id,
        "locked_private": int(locked),
        "content_type": content_type,
        "byte_count": byte_count,
        "blob": blob,
        "uploaded_at": now,
        "ready_at": now + processing_delay,
        "md5": md5,  # None: computed from the blob on first listing
        **metadata_columns(meta, locked=locked),
    }
    if values["privacy"] == "public":
        values["public_since"] = now
    if byte_count == 0:
        values["outcome"], values["outcome_reason"] = "failed", "emptyFile"
    store.insert("videos", values)
    return get_video(store, video_id)  # type: ignore[return-value]


def get_video(store: Store, video_id: str, *, include_deleted: bool = False) -> Row | None:
    row = store.one(
        "SELECT v.*, c.title AS channel_title FROM videos v "
        "JOIN channels c ON c.id = v.channel_id WHERE v.id = ?",
        (video_id,),
    )
    if row is None or (row["deleted_at"] is not None and not include_deleted):
        return None
    return row


def save_metadata(store: Store, row: Row, meta: VideoMetadata, *, now: float) -> None:
    values = metadata_columns(meta, locked=bool(row["locked_private"]))
    if values["privacy"] == "public" and row["public_since"] is None:
        values["public_since"] = now  # the statistics model counts views from here
    store.update("videos", "id", row["id"], values)


def set_outcome(store: Store, video_id: str, outcome: str, reason: str | None, now: float) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    values: dict[str, Any] = {"outcome": outcome, "outcome_reason": None}
    if outcome == "failed":
        reason = reason or "conversion"
        if reason not in FAILURE_REASONS:
            raise ValueError(f"failure reason must be one of {', '.join(FAILURE_REASONS)}")
        values["outcome_reason"] = reason
    elif outcome == "rejected":
        reason = reason or "duplicate"
        if reason not in REJECTION_REASONS:
            raise ValueError(f"rejection reason must be one of {', '.join(REJECTION_REASONS)}")
        values["outcome_reason"] = reason
    elif outcome == "processed":
        values["ready_at"] = now
    else:
        values.update(outcome=None, ready_at=NEVER)
    store.update("videos", "id", video_id, values)


def effective_privacy(row: Row, now: float) -> str:
    """A scheduled private video turns public at publishAt (unless the project lock holds)."""
    if (
        row["privacy"] == "private"
        and row["publish_at"] is not None
        and row["publish_at"] <= now
        and not row["locked_private"]
    ):
        return "public"
    return str(row["privacy"])


def processing_state(row: Row, now: float) -> dict[str, Any]:
    """uploadStatus and processingDetails as YouTube reports them at sandbox time `now`."""
    if row["deleted_at"] is not None:
        return {"uploadStatus": "deleted", "processingStatus": "terminated"}
    outcome, reason = row["outcome"], row["outcome_reason"]
    if outcome == "failed":
        return {
            "uploadStatus": "failed",
            "failureReason": reason,
            "processingStatus": "failed",
            "processingFailureReason": _PROCESSING_FAILURE.get(reason, "other"),
        }
    if outcome == "rejected":
        return {
            "uploadStatus": "rejected",
            "rejectionReason": reason,
            "processingStatus": "terminated",
        }
    if outcome == "processed" or now >= row["ready_at"]:
        return {"uploadStatus": "processed", "processingStatus": "succeeded"}
    total = max(row["ready_at"] - row["uploaded_at"], 0.001)
    done = min(max(now - row["uploaded_at"], 0.0) / total, 1.0) if row["ready_at"] < NEVER else 0
    return {
        "uploadStatus": "uploaded",
        "processingStatus": "processing",
        "processingProgress": {
            "partsTotal": "1000",
            "partsProcessed": str(int(done * 1000)),
            "timeLeftMs": str(int(max(row["ready_at"] - now, 0) * 1000))
            if row["ready_at"] < NEVER
            else "0",
        },
    }


def playlist_memberships(store: Store, video_id: str) -> list[str]:
    rows = store.all(
        "SELECT DISTINCT playlist_id FROM playlist_items WHERE video_id = ?", (video_id,)
    )
    return [r["playlist_id"] for r in rows]


def video_view(store: Store, row: Row, now: float) -> dict[str, Any]:
    """The control API's view of a video: what a test wants to check after an upload."""
    state = processing_state(row, now)
    client = store.one("SELECT client_id FROM projects WHERE id = ?", (row["project_id"],))
    return {
        "id": row["id"],
        "channel_id": row["channel_id"],
        "client_id": client["client_id"] if client else None,
        "upload_id": row["upload_id"],
        "title": row["title"],
        "description": row["description"],
        "tags": json.loads(row["tags"]),
        "category_id": row["category_id"],
        "requested_privacy": row["requested_privacy"],
        "privacy": row["privacy"],
        "effective_privacy": effective_privacy(row, now),
        "locked_private": bool(row["locked_private"]),
        "publish_at": to_rfc3339(row["publish_at"]) if row["publish_at"] else None,
        "self_declared_made_for_kids": _bool(row["self_declared_made_for_kids"]),
        "upload_status": state["uploadStatus"],
        "processing_status": state["processingStatus"],
        "failure_reason": state.get("failureReason"),
        "rejection_reason": state.get("rejectionReason"),
        "content_type": row["content_type"],
        "byte_count": row["byte_count"],
        "md5": row["md5"],
        "uploaded_at": to_rfc3339(row["uploaded_at"]),
        "thumbnail": None
        if row["thumbnail_blob"] is None
        else {
            "content_type": row["thumbnail_type"],
            "byte_count": row["thumbnail_bytes"],
            "set_at": to_rfc3339(row["thumbnail_set_at"]),
        },
        "playlists": playlist_memberships(store, row["id"]),
        "deleted": row["deleted_at"] is not None,
    }
