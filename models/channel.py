"""YouTube channels in the pool, and the single-use OAuth states that connect them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.base import LeaseFields, enum_column, utc_column


class ChannelState(StrEnum):
    """Where a channel stands in the pool."""

    ACTIVE = "active"  # in rotation
    RESERVE = "reserve"  # healthy, used when the active pool cannot cover demand
    PAUSED = "paused"  # kept fresh, not used
    NEEDS_REAUTH = "needs_reauth"  # the refresh token is dead: someone must reconnect
    DISABLED = "disabled"  # switched off by an operator

    @property
    def uploads_allowed(self) -> bool:
        return self in (ChannelState.ACTIVE, ChannelState.RESERVE)

    @property
    def keeps_token_fresh(self) -> bool:
        return self in (ChannelState.ACTIVE, ChannelState.RESERVE, ChannelState.PAUSED)


class Channel(LeaseFields, table=True):
    """A connected channel. The lease columns guard its token refresh across processes."""

    __tablename__ = "channels"

    id: int | None = Field(default=None, primary_key=True)
    youtube_id: str = Field(max_length=64, unique=True, index=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    title: str = Field(max_length=200)
    handle: str = Field(default="", max_length=100)
    thumbnail_url: str = Field(default="", max_length=500)
    published_at: datetime | None = utc_column(nullable=True)
    state: ChannelState = enum_column(ChannelState, default=ChannelState.ACTIVE, index=True)
    # The state a channel had when its token died (needs_reauth); a reconnect restores it.
    state_before_reauth: str = Field(default="", max_length=20)
    group_name: str = Field(default="", max_length=60, index=True)
    daily_upload_cap: int = 10
    # Uploads started on `upload_day` (Pacific): the cap is taken atomically per upload.
    upload_day: date | None = None
    uploads_on_day: int = 0
    scopes: str = Field(default="", max_length=1000)
    # Fernet ciphertexts (core.vault).
    refresh_token_enc: str = Field(max_length=2000)
    access_token_enc: str | None = Field(default=None, max_length=4000)
    token_expires_at: datetime | None = utc_column(nullable=True, index=True)
    token_refreshed_at: datetime | None = utc_column(nullable=True)
    last_error: str = Field(default="", max_length=1000)
    last_error_at: datetime | None = utc_column(nullable=True)
    # Consecutive failures; the circuit breaker rests the channel after a few.
    error_streak: int = 0
    resting_until: datetime | None = utc_column(nullable=True)
    rest_reason: str = Field(default="", max_length=200)
    # Rotation's inputs, kept as uploads start and end (core.rotation.stats), so choosing a
    # channel reads the channels, not the job table: the outcomes of its last uploads,
    # newest first ("p" published, "f" failed), and when its latest upload started.
    recent_outcomes: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    last_started_at: datetime | None = utc_column(nullable=True)
    health_score: float = 0.0
    score_breakdown: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    score_updated_at: datetime | None = utc_column(nullable=True)
    connected_at: datetime = utc_column()
    connected_by: str = Field(default="", max_length=254)
    created_at: datetime = utc_column()


class ChannelPublic(SQLModel):
    """What leaves the server about a channel (no token, no ciphertext), with today's use."""

    id: int
    youtube_id: str
    title: str
    handle: str
    thumbnail_url: str
    state: ChannelState
    group: str
    project_id: int
    project: str = ""
    daily_upload_cap: int
    uploads_today: int = 0
    quota_units_today: int = 0
    capabilities: list[str] = []
    token_expires_at: datetime | None
    token_refreshed_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    resting_until: datetime | None
    rest_reason: str
    health_score: float
    score_breakdown: dict[str, Any]
    connected_at: datetime
    connected_by: str


class OAuthState(SQLModel, table=True):
    """One "Connect channel" attempt: single use, bound to the operator's login session."""

    __tablename__ = "oauth_states"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True, index=True)
    session_hash: str = Field(max_length=64)
    user_email: str = Field(max_length=254)
    project_id: int = Field(foreign_key="projects.id", ondelete="CASCADE")
    # PKCE verifier, encrypted; it proves the callback belongs to this attempt.
    code_verifier_enc: str = Field(max_length=1000)
    reconnect_channel_id: int | None = None
    group_name: str = Field(default="", max_length=60)
    created_at: datetime = utc_column()
    expires_at: datetime = utc_column()
    used_at: datetime | None = utc_column(nullable=True)
    # What came of it, shown once on the Channels page to the same login session (the
    # page address carries only this row's id, never the text).
    result_ok: bool | None = None
    result_message: str = Field(default="", max_length=500)
