"""Upload jobs: what to upload where and when, where the resumable session stands, and
every state change they went through."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ColumnElement, Index, and_, text
from sqlmodel import Field, SQLModel

from models.base import LeaseFields, enum_column, utc_column


class UploadState(StrEnum):
    QUEUED = "queued"  # due now, waiting for a worker slot
    SCHEDULED = "scheduled"  # due later
    UPLOADING = "uploading"  # bytes are moving (or will resume after a crash)
    PROCESSING = "processing"  # inserted; YouTube is processing the video
    PUBLISHED = "published"  # processed: done
    FAILED = "failed"
    CANCELLED = "cancelled"
    WAITING_QUOTA = "waiting_quota"  # the project's quota resets at not_before
    WAITING_CHANNEL = "waiting_channel"  # the channel rests until not_before
    WAITING_REAUTH = "waiting_reauth"  # the channel needs someone to reconnect it

    @property
    def finished(self) -> bool:
        return self in (UploadState.PUBLISHED, UploadState.FAILED, UploadState.CANCELLED)

    @property
    def waiting(self) -> bool:
        return self in (
            UploadState.WAITING_QUOTA,
            UploadState.WAITING_CHANNEL,
            UploadState.WAITING_REAUTH,
        )


# Every state of a job still in the works, and the SQL condition for them. The partial
# index below and the queries it serves (the runner's claim, what runs next) use this same
# condition, written out with its values: SQLite only uses a partial index for a query
# that repeats the index's condition with constants, not with bound parameters.
UNFINISHED = tuple(state for state in UploadState if not state.finished)
UNFINISHED_SQL = "state IN ({})".format(", ".join(f"'{state.value}'" for state in UNFINISHED))


def unfinished_jobs() -> ColumnElement[bool]:
    """The condition "the job is unfinished", as the partial index spells it."""
    return and_(text(UNFINISHED_SQL))


class TargetKind(StrEnum):
    CHANNEL = "channel"  # exactly this channel
    GROUP = "group"  # the healthiest channel of a group, chosen at run time
    AUTO = "auto"  # the healthiest channel of the whole pool, chosen at run time


class PublishMode(StrEnum):
    UPLOAD_AT = "upload_at"  # start uploading at the scheduled time
    PUBLISH_AT = "publish_at"  # upload now as private; YouTube publishes at the time


class UploadJob(LeaseFields, table=True):
    __tablename__ = "upload_jobs"
    __table_args__ = (
        # The Uploads page: one page of jobs by state or by channel, newest scheduled first.
        # Its state prefix serves every other lookup by state.
        Index("ix_upload_jobs_state_scheduled_for", "state", "scheduled_for"),
        Index("ix_upload_jobs_channel_scheduled_for", "channel_id", "scheduled_for"),
        # The runner's claim and "next up": the few thousand unfinished jobs by due time,
        # without walking past the million finished ones.
        Index(
            "ix_upload_jobs_unfinished_not_before",
            "not_before",
            "state",
            sqlite_where=text(UNFINISHED_SQL),
            postgresql_where=text(UNFINISHED_SQL),
        ),
        # Media pruning: finished jobs of one state by when they finished; and which jobs
        # use a stored file (also a person's media quota), the thumbnails apart.
        Index("ix_upload_jobs_state_finished_at", "state", "finished_at"),
        Index("ix_upload_jobs_file_path", "file_path"),
        Index(
            "ix_upload_jobs_thumbnail_path",
            "thumbnail_path",
            sqlite_where=text("thumbnail_path IS NOT NULL"),
            postgresql_where=text("thumbnail_path IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = utc_column()
    # Who scheduled it, as shown (an email, or "cli"), and as the account that owns it:
    # only that person or an operator may change the job. None: the CLI or the system.
    created_by: str = Field(max_length=254)
    created_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    updated_at: datetime = utc_column()
    state: UploadState = enum_column(UploadState)
    state_reason: str = Field(default="", max_length=500)
    # Work may start (or resume, or be polled) from this time on.
    not_before: datetime = utc_column()
    scheduled_for: datetime = utc_column(index=True)
    publish_mode: PublishMode = enum_column(PublishMode, default=PublishMode.UPLOAD_AT)
    publish_at: datetime | None = utc_column(nullable=True)
    target_kind: TargetKind = enum_column(TargetKind)
    target_channel_id: int | None = Field(default=None, foreign_key="channels.id")
    target_group: str = Field(default="", max_length=60, index=True)
    # Jobs created together by a fan-out share a batch.
    batch_id: str = Field(default="", max_length=40, index=True)
    channel_id: int | None = Field(default=None, foreign_key="channels.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="projects.id", index=True)
    file_path: str = Field(max_length=500)
    file_name: str = Field(max_length=255)
    # Byte counts and offsets are 64-bit: a 32-bit column stops at 2 GiB, and the form
    # takes up to 16 GiB (upload_max_bytes).
    file_size: int = Field(sa_type=BigInteger)
    file_md5: str = Field(max_length=32)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10000)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    category_id: str = Field(default="22", max_length=10)
    privacy: str = Field(default="private", max_length=10)
    made_for_kids: bool = False
    thumbnail_path: str | None = Field(default=None, max_length=500)
    playlist_title: str = Field(default="", max_length=150)
    # The resumable session URI is a credential (it accepts bytes without auth): encrypted.
    session_uri_enc: str | None = Field(default=None, max_length=2000)
    session_started_at: datetime | None = utc_column(nullable=True)
    bytes_confirmed: int = Field(default=0, sa_type=BigInteger)
    bytes_sent: int = Field(default=0, sa_type=BigInteger)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    warning: str = Field(default="", max_length=500)
    video_id: str | None = Field(default=None, max_length=40, index=True)
    thumbnail_done: bool = False
    playlist_done: bool = False
    started_at: datetime | None = utc_column(nullable=True)
    finished_at: datetime | None = utc_column(nullable=True)
    speed_bps: float = 0.0
    eta_seconds: int | None = None
    progress_at: datetime | None = utc_column(nullable=True)


class UploadEvent(SQLModel, table=True):
    """One line of a job's history."""

    __tablename__ = "upload_events"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="upload_jobs.id", index=True, ondelete="CASCADE")
    at: datetime = utc_column()
    from_state: str = Field(default="", max_length=20)
    to_state: str = Field(max_length=20)
    message: str = Field(default="", max_length=1000)
    actor: str = Field(default="system", max_length=254)


class UploadJobPublic(SQLModel):
    """What leaves the server about an upload job: no session URI, no server paths."""

    id: int
    state: UploadState
    state_reason: str
    title: str
    file_name: str
    file_size: int
    target_kind: TargetKind
    target_group: str
    target_channel_id: int | None
    # The channel's title: the one it runs on (channel) and the one asked for (target).
    channel_id: int | None
    channel: str = ""
    target_channel: str = ""
    video_id: str | None
    privacy: str
    publish_mode: PublishMode
    publish_at: datetime | None
    scheduled_for: datetime
    not_before: datetime
    bytes_confirmed: int
    speed_bps: float
    eta_seconds: int | None
    attempts: int
    last_error: str
    warning: str
    created_by: str
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    batch_id: str
    playlist_title: str

    @classmethod
    def of(cls, job: UploadJob, titles: Mapping[int, str]) -> UploadJobPublic:
        """The job with its channels' titles (titles: channel id -> title)."""
        public = cls.model_validate(job, from_attributes=True)
        public.channel = titles.get(job.channel_id or 0, "")
        public.target_channel = titles.get(job.target_channel_id or 0, "")
        return public


class UploadEventPublic(SQLModel):
    """One line of a job's history as it leaves the server."""

    at: datetime
    from_state: str
    to_state: str
    message: str
    actor: str
