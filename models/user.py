"""People who use the dashboard, their login sessions and failed-login records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import enum_column, utc_column


class Role(StrEnum):
    """What a person may do; each role includes the ones below it."""

    ADMIN = "admin"
    OPERATOR = "operator"
    MARKETER = "marketer"

    @property
    def rank(self) -> int:
        return {Role.MARKETER: 1, Role.OPERATOR: 2, Role.ADMIN: 3}[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    role: Role = enum_column(Role)
    disabled: bool = False
    # Set for generated one-time passwords; the UI asks for a new one after login.
    must_change_password: bool = False
    timezone: str = Field(default="UTC", max_length=64)
    created_at: datetime = utc_column()
    last_login_at: datetime | None = utc_column(nullable=True)


class UserPublic(SQLModel):
    """What leaves the server about a user (no hash)."""

    id: int
    email: str
    role: Role
    disabled: bool
    timezone: str
    created_at: datetime
    last_login_at: datetime | None


class UserSession(SQLModel, table=True):
    """A login; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = utc_column()
    expires_at: datetime = utc_column(index=True)
    last_seen_at: datetime = utc_column()
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginAttempt(SQLModel, table=True):
    """One login try; failures within a window rate-limit further tries."""

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(default="", max_length=64, index=True)
    succeeded: bool
    at: datetime = utc_column(index=True)
