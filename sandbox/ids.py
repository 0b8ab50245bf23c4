"""Identifiers and secrets shaped like Google's, and the hash used to store secrets."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import string
from typing import Any

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"
_LOWER = string.ascii_lowercase + string.digits


def _pick(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def client_id() -> str:
    number = "".join(secrets.choice(string.digits) for _ in range(12))
    return f"{number}-{_pick(_LOWER, 32)}.apps.googleusercontent.com"


def client_secret() -> str:
    return "GOCSPX-" + _pick(_ID_ALPHABET, 28)


def channel_id() -> str:
    return "UC" + _pick(_ID_ALPHABET, 22)


def video_id() -> str:
    return _pick(_ID_ALPHABET, 11)


def playlist_id() -> str:
    return "PL" + _pick(_ID_ALPHABET, 32)


def playlist_item_id() -> str:
    return _pick(_ID_ALPHABET, 40)


def upload_id() -> str:
    return "AEnB2U" + _pick(_ID_ALPHABET, 58)


def request_id() -> str:
    return secrets.token_urlsafe(24)


def access_token() -> str:
    return "ya29.sbx-" + secrets.token_urlsafe(60)


def refresh_token() -> str:
    return "1//0sbx-" + secrets.token_urlsafe(60)


def auth_code() -> str:
    return "4/0sbx-" + secrets.token_urlsafe(40)


def secret_hash(value: str) -> str:
    """Client secrets, tokens and codes are stored hashed, so a copied database (or its WAL)
    holds no live credential. Unsalted SHA-256 is enough for random values like these."""
    return hashlib.sha256(value.encode()).hexdigest()


def etag(payload: Any) -> str:
    digest = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
