"""Google Cloud projects: one OAuth client each, with its quota policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.base import utc_column


class Project(SQLModel, table=True):
    """A Google Cloud project's OAuth client. Quota is counted per project."""

    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    client_id: str = Field(max_length=200, unique=True)
    # Fernet ciphertext (core.vault); never the plain secret.
    client_secret_enc: str = Field(max_length=1000)
    # The local emulator plays Google for this project (sandbox mode).
    is_sandbox: bool = False
    # Passed Google's API audit: without it, uploads are locked to private.
    verified: bool = False
    # Consent screen still in "testing": refresh tokens die after 7 days.
    consent_testing: bool = False
    # Quota policy as data: preset, per-bucket limits and reserves, cost overrides.
    quota_policy: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = utc_column()


class ProjectPublic(SQLModel):
    """What leaves the server about a project (no secret)."""

    id: int
    name: str
    client_id: str
    is_sandbox: bool
    verified: bool
    consent_testing: bool
    quota_policy: dict[str, Any]
    created_at: datetime
