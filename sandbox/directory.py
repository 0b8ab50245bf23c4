"""Projects (OAuth clients), Google accounts and their channels: rows and their rules."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from sandbox import ids
from sandbox.errors import ControlError
from sandbox.quota import COST_MODELS, DEFAULT_LIMITS
from sandbox.store import Row, Store

CONSENT_STATUSES = ("production", "testing")
DEFAULT_ACCOUNT_EMAIL = "sandbox.user@example.com"


def _check_limits(limits: Any) -> dict[str, int]:
    if not isinstance(limits, dict):
        raise ControlError(400, "limits must be an object of bucket -> units")
    for bucket, value in limits.items():
        if bucket not in DEFAULT_LIMITS:
            raise ControlError(400, f"unknown quota bucket {bucket!r}; use {list(DEFAULT_LIMITS)}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ControlError(400, f"limit of {bucket!r} must be a non-negative integer")
    return limits


def _project_fields(fields: dict[str, Any], current: Row | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if fields.get("name") is not None:
        values["name"] = str(fields["name"])
    if "verified" in fields:
        values["verified"] = 1 if fields["verified"] else 0
    if "quota_model" in fields:
        if fields["quota_model"] not in COST_MODELS:
            raise ControlError(400, f"quota_model must be one of {list(COST_MODELS)}")
        values["quota_model"] = fields["quota_model"]
    if "limits" in fields:
        merged = json.loads(current["limits"]) if current else {}
        merged.update(_check_limits(fields["limits"]))
        values["limits"] = json.dumps(merged)
    if "redirect_uris" in fields:
        uris = fields["redirect_uris"]
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise ControlError(400, "redirect_uris must be a list of strings")
        values["redirect_uris"] = json.dumps(uris)
    if "consent_status" in fields:
        if fields["consent_status"] not in CONSENT_STATUSES:
            raise ControlError(400, f"consent_status must be one of {list(CONSENT_STATUSES)}")
        values["consent_status"] = fields["consent_status"]
    return values


def create_project(store: Store, fields: dict[str, Any], *, now: float) -> tuple[Row, str]:
    """The new row and its client secret. Only the secret's hash is stored (a copied
    database or WAL holds no usable credential), so this is the one time it can be shown."""
    secret = fields.get("client_secret") or ids.client_secret()
    if not isinstance(secret, str):
        raise ControlError(400, "client_secret must be a string")
    count = store.one("SELECT COUNT(*) AS n FROM projects")
    values = {
        "name": f"Sandbox project {(count['n'] if count else 0) + 1}",
        "client_id": fields.get("client_id") or ids.client_id(),
        "client_secret_hash": ids.secret_hash(secret),
        "created_at": now,
        **_project_fields(fields, None),
    }
    try:
        store.insert("projects", values)
    except sqlite3.IntegrityError:
        raise ControlError(409, f"a project with client_id {values['client_id']} exists") from None
    return get_project(store, values["client_id"]), secret  # type: ignore[return-value]


def update_project(store: Store, client_id: str, fields: dict[str, Any]) -> Row:
    current = require_project(store, client_id)
    store.update("projects", "id", current["id"], _project_fields(fields, current))
    return require_project(store, client_id)


def get_project(store: Store, client_id: str) -> Row | None:
    return store.one("SELECT * FROM projects WHERE client_id = ?", (client_id,))


def require_project(store: Store, client_id: str) -> Row:
    project = get_project(store, client_id)
    if project is None:
        raise ControlError(404, f"no project with client_id {client_id!r}")
    return project


def project_by_id(store: Store, project_id: int) -> Row | None:
    return store.one("SELECT * FROM projects WHERE id = ?", (project_id,))


def project_view(row: Row, client_secret: str | None = None) -> dict[str, Any]:
    """What the control API shows; the secret only in the answer that created it."""
    secret = {"client_secret": client_secret} if client_secret is not None else {}
    return {
        "client_id": row["client_id"],
        **secret,
        "name": row["name"],
        "verified": bool(row["verified"]),
        "quota_model": row["quota_model"],
        "limits": {**DEFAULT_LIMITS, **json.loads(row["limits"])},
        "redirect_uris": json.loads(row["redirect_uris"]),
        "consent_status": row["consent_status"],
    }


def create_account(store: Store, fields: dict[str, Any], *, now: float) -> Row:
    email = fields.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise ControlError(400, "email is required and must look like an address")
    name = fields.get("name") or email.split("@")[0]
    try:
        account_id = store.insert("accounts", {"email": email, "name": name, "created_at": now})
    except sqlite3.IntegrityError:
        raise ControlError(409, f"an account {email} exists") from None
    return store.one("SELECT * FROM accounts WHERE id = ?", (account_id,))  # type: ignore[return-value]


def find_account(store: Store, key: Any) -> Row:
    if isinstance(key, int) and not isinstance(key, bool):
        row = store.one("SELECT * FROM accounts WHERE id = ?", (key,))
    else:
        row = store.one("SELECT * FROM accounts WHERE email = ?", (str(key),))
    if row is None:
        raise ControlError(404, f"no account {key!r}")
    return row


def _handle_from(title: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]", "", title.lower().replace(" ", ""))
    return "@" + (slug or "channel")


def _unique_handle(store: Store, wanted: str) -> str:
    handle = wanted if wanted.startswith("@") else "@" + wanted
    candidate, n = handle, 1
    while store.one("SELECT 1 FROM channels WHERE lower(handle) = lower(?)", (candidate,)):
        n += 1
        candidate = f"{handle}{n}"
    return candidate


def _channel_fields(fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("title", "description", "country"):
        if name in fields:
            values[name] = fields[name]
    for name, column in (("custom_thumbnails", "custom_thumbnails"), ("brand", "is_brand")):
        if name in fields:
            values[column] = 1 if fields[name] else 0
    if "daily_upload_cap" in fields:
        cap = fields["daily_upload_cap"]
        if cap is not None and (not isinstance(cap, int) or cap < 0):
            raise ControlError(400, "daily_upload_cap must be null or a non-negative integer")
        values["daily_upload_cap"] = cap
    for name in ("subscriber_count", "view_count"):
        if name in fields:
            values[name] = int(fields[name])
    return values


def create_channel(store: Store, fields: dict[str, Any], *, now: float) -> Row:
    account = find_account(store, fields.get("account", fields.get("account_id")))
    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ControlError(400, "title is required")
    brand = bool(fields.get("brand", False))
    personal = store.one(
        "SELECT id FROM channels WHERE account_id = ? AND is_brand = 0", (account["id"],)
    )
    if not brand and personal:
        raise ControlError(
            409, f"{account['email']} already has a personal channel; add brand=true"
        )
    values = {
        "id": fields.get("id") or ids.channel_id(),
        "account_id": account["id"],
        "handle": _unique_handle(store, fields.get("handle") or _handle_from(title)),
        "created_at": now,
        **_channel_fields(fields),
    }
    try:
        store.insert("channels", values)
    except sqlite3.IntegrityError:
        raise ControlError(409, f"a channel {values['id']} exists") from None
    return require_channel(store, values["id"])


def update_channel(store: Store, channel_id: str, fields: dict[str, Any]) -> Row:
    require_channel(store, channel_id)
    values = _channel_fields(fields)
    if "handle" in fields:
        values["handle"] = _unique_handle(store, fields["handle"])
    store.update("channels", "id", channel_id, values)
    return require_channel(store, channel_id)


def get_channel(store: Store, channel_id: str) -> Row | None:
    return store.one(
        "SELECT c.*, a.email AS account_email, a.name AS account_name FROM channels c "
        "JOIN accounts a ON a.id = c.account_id WHERE c.id = ?",
        (channel_id,),
    )


def require_channel(store: Store, channel_id: str) -> Row:
    channel = get_channel(store, channel_id)
    if channel is None:
        raise ControlError(404, f"no channel {channel_id!r}")
    return channel


def list_channels(store: Store) -> list[Row]:
    return store.all(
        "SELECT c.*, a.email AS account_email, a.name AS account_name FROM channels c "
        "JOIN accounts a ON a.id = c.account_id ORDER BY a.id, c.is_brand, c.created_at"
    )


def channel_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "handle": row["handle"],
        "account": row["account_email"],
        "brand": bool(row["is_brand"]),
        "custom_thumbnails": bool(row["custom_thumbnails"]),
        "daily_upload_cap": row["daily_upload_cap"],
        "country": row["country"],
        "subscriber_count": row["subscriber_count"],
        "view_count": row["view_count"],
    }


def seed_defaults(store: Store, *, now: float) -> None:
    """An empty sandbox gets one Google account with a personal and a Brand Account channel,
    so the consent page always has something to pick."""
    account = create_account(
        store, {"email": DEFAULT_ACCOUNT_EMAIL, "name": "Sandbox User"}, now=now
    )
    create_channel(store, {"account": account["id"], "title": "Sandbox User"}, now=now)
    create_channel(
        store, {"account": account["id"], "title": "Sandbox Studio", "brand": True}, now=now
    )
