"""What the API reads and answers, as typed models (the OpenAPI document comes from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.api.problems import field_errors, invalid
from core import metadata, uploads
from core.api_tokens import ApiCaller
from models import PublishMode, TargetKind, UploadEventPublic, UploadJob, UploadJobPublic

TARGETS = {"channel": TargetKind.CHANNEL, "group": TargetKind.GROUP, "fanout": TargetKind.GROUP}
TARGETS |= {"auto": TargetKind.AUTO}


class UploadFields(BaseModel):
    """The upload form's fields: multipart parts beside `video`, or JSON in the
    `X-Upload-Metadata` header when the body is the raw video."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="{channel}, {group} and {date} are filled in per job")
    description: str = ""
    tags: list[str] | str = Field(default="", description="a list, or comma-separated")
    category_id: str = "22"
    privacy: str = Field(default="private", description="private, unlisted or public")
    made_for_kids: bool = False
    playlist: str = Field(default="", description="a playlist title, made if missing")
    target: Literal["auto", "channel", "group", "fanout"] | None = Field(
        default=None,
        description="auto: the healthiest channel of the pool; channel: channel_id; group: "
        "the healthiest channel of `group`; fanout: one job per channel of `group`. "
        "Default: auto, or the token's group for a group-scoped token",
    )
    channel_id: int | None = None
    group: str = ""
    when: str = Field(default="now", description="e.g. 'tomorrow 9am', '2027-01-05 18:00'")
    timezone: str | None = Field(default=None, description="default: the owner's time zone")
    mode: PublishMode = Field(
        default=PublishMode.UPLOAD_AT,
        description="upload_at: upload at `when`; publish_at: upload now, private, and "
        "YouTube publishes at `when`",
    )
    file_name: str = ""


class UploadOut(UploadJobPublic):
    """An upload job: its state, bytes sent, and the video once YouTube has it."""

    youtube_url: str | None = None
    history: list[UploadEventPublic] | None = None

    @classmethod
    def build(
        cls,
        job: UploadJob,
        titles: dict[int, str],
        history: list[UploadEventPublic] | None = None,
    ) -> UploadOut:
        out = cls.model_validate(UploadJobPublic.of(job, titles), from_attributes=True)
        if job.video_id:
            out.youtube_url = f"https://www.youtube.com/watch?v={job.video_id}"
        out.history = history
        return out


class UploadsCreated(BaseModel):
    jobs: list[UploadOut]


class UploadsPage(BaseModel):
    items: list[UploadOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: str
    timezone: str | None = None


def read_fields(raw: dict[str, Any], caller: ApiCaller) -> UploadFields:
    """The fields, or a 422 naming each bad one; a scoped token's target defaults to its
    group."""
    try:
        fields = UploadFields.model_validate(raw)
    except ValidationError as exc:
        raise invalid(field_errors(exc)) from None
    if fields.target is None:
        fields.target = "group" if caller.group else "auto"
        fields.group = fields.group or caller.group
    return fields


def to_request(
    fields: UploadFields,
    caller: ApiCaller,
    video: uploads.StoredFile,
    thumbnail: uploads.StoredFile | None,
    categories: set[str] | None,
) -> uploads.UploadRequest:
    tags = fields.tags if isinstance(fields.tags, list) else metadata.parse_tags(fields.tags)
    target = fields.target or "auto"
    return uploads.UploadRequest(
        video=video,
        file_name=fields.file_name or video.name,
        title=fields.title.strip(),
        description=fields.description,
        tags=tags,
        category_id=fields.category_id,
        privacy=fields.privacy,
        made_for_kids=fields.made_for_kids,
        thumbnail=thumbnail,
        playlist_title=fields.playlist,
        target=TARGETS[target],
        channel_id=fields.channel_id,
        group=fields.group,
        fan_out=target == "fanout",
        when_text=fields.when,
        tz=fields.timezone or caller.user.timezone or "UTC",
        mode=fields.mode,
        categories=categories,
    )
