"""API tokens that pipelines authenticate with, and the idempotency keys of their requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import enum_column, utc_column
from models.user import Role


class ApiToken(SQLModel, table=True):
    """A bearer token a person made for a pipeline; the table keeps only its SHA-256.

    The token acts as its owner with at most `role` (never more than the owner has now),
    and, when `group_name` is set, only on jobs of that channel group."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    role: Role = enum_column(Role)
    group_name: str = Field(default="", max_length=60)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # The token's first characters, so a person can tell their tokens apart (not a secret).
    prefix: str = Field(max_length=16)
    created_at: datetime = utc_column()
    expires_at: datetime | None = utc_column(nullable=True)
    # Written at most once a minute per token (see core.api_tokens.USE_RECORD_INTERVAL).
    last_used_at: datetime | None = utc_column(nullable=True)
    revoked_at: datetime | None = utc_column(nullable=True)


class ApiTokenPublic(SQLModel):
    """What leaves the server about a token: never the secret or its hash."""

    id: int
    name: str
    owner: str
    role: Role
    group: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class IdempotencyKey(SQLModel, table=True):
    """A create request's Idempotency-Key, per token: claimed while the first request
    streams (the lease), then the job ids it made, which every retry gets back."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token"),)

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_tokens.id", ondelete="CASCADE")
    key: str = Field(max_length=200)
    created_at: datetime = utc_column(index=True)
    # While the first request runs: until when it counts as alive (renewed as bytes arrive).
    lease_owner: str = Field(default="", max_length=40)
    lease_expires_at: datetime | None = utc_column(nullable=True)
    # none_as_null: "no jobs yet" is SQL NULL (the claims test IS NULL), not JSON null.
    job_ids: list[int] | None = Field(default=None, sa_type=JSON(none_as_null=True))
