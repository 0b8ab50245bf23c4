"""Passwords: how strong one must be, and hashing and checking them (Argon2)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import InputError

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# A real hash to verify against when the email is unknown, so timing does not tell.
DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            "password", f"must be at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})"
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    """A one-time password that is easy to type from a terminal."""
    return secrets.token_urlsafe(15)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether a hash was made with weaker parameters than today's (rehash it at login)."""
    return _hasher.check_needs_rehash(stored_hash)
