"""Grants (a project's consent for one channel) and the access and refresh tokens they carry."""

from __future__ import annotations

from typing import Any

from sandbox import ids
from sandbox.clock import to_rfc3339
from sandbox.store import Row, Store

# Google expires refresh tokens after 7 days while the consent screen is in "testing".
TESTING_REFRESH_LIFETIME = 7 * 24 * 3600


def find_live_grant(store: Store, project_id: int, channel_id: str) -> Row | None:
    return store.one(
        "SELECT * FROM grants WHERE project_id = ? AND channel_id = ? AND revoked_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (project_id, channel_id),
    )


def get_grant(store: Store, grant_id: int) -> Row | None:
    return store.one("SELECT * FROM grants WHERE id = ?", (grant_id,))


def create_grant(
    store: Store,
    *,
    project_id: int,
    channel_id: str,
    scopes: list[str],
    via: str,
    now: float,
    challenge_method: str | None = None,
) -> Row:
    grant_id = store.insert(
        "grants",
        {
            "project_id": project_id,
            "channel_id": channel_id,
            "scopes": " ".join(scopes),
            "via": via,
            "code_challenge_method": challenge_method,
            "created_at": now,
        },
    )
    return get_grant(store, grant_id)  # type: ignore[return-value]


def widen_grant(store: Store, grant: Row, scopes: list[str]) -> None:
    held = grant["scopes"].split()
    added = [s for s in scopes if s not in held]
    if added:
        store.update("grants", "id", grant["id"], {"scopes": " ".join(held + added)})


def issue_access_token(
    store: Store, grant_id: int, scopes: list[str], *, now: float, lifetime: int
) -> str:
    token = ids.access_token()
    store.insert(
        "access_tokens",
        {
            "token_hash": ids.secret_hash(token),
            "grant_id": grant_id,
            "scopes": " ".join(scopes),
            "expires_at": now + lifetime,
        },
    )
    return token


def issue_refresh_token(store: Store, grant_id: int, scopes: list[str], *, now: float) -> str:
    token = ids.refresh_token()
    store.insert(
        "refresh_tokens",
        {
            "token_hash": ids.secret_hash(token),
            "grant_id": grant_id,
            "scopes": " ".join(scopes),
            "created_at": now,
        },
    )
    return token


def has_refresh_token(store: Store, grant_id: int) -> bool:
    return store.one("SELECT 1 FROM refresh_tokens WHERE grant_id = ?", (grant_id,)) is not None


def lookup_access_token(store: Store, token: str) -> Row | None:
    return store.one(
        "SELECT t.scopes AS token_scopes, t.expires_at, t.invalidated, g.* "
        "FROM access_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.token_hash = ?",
        (ids.secret_hash(token),),
    )


def lookup_refresh_token(store: Store, token: str) -> Row | None:
    return store.one(
        "SELECT t.scopes AS token_scopes, t.created_at AS token_created_at, g.* "
        "FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.token_hash = ?",
        (ids.secret_hash(token),),
    )


def revoke_grant(store: Store, grant_id: int, *, now: float) -> None:
    """Revoking any token of a grant ends the whole grant, as Google does."""
    with store.transaction():
        store.run(
            "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (now, grant_id),
        )
        store.run("UPDATE access_tokens SET invalidated = 1 WHERE grant_id = ?", (grant_id,))


def invalidate_access_tokens(store: Store, grant_id: int) -> int:
    cursor = store.run(
        "UPDATE access_tokens SET invalidated = 1 WHERE grant_id = ? AND invalidated = 0",
        (grant_id,),
    )
    return cursor.rowcount


def list_grants(store: Store) -> list[Row]:
    return store.all(
        "SELECT g.*, p.client_id, c.title AS channel_title FROM grants g "
        "JOIN projects p ON p.id = g.project_id JOIN channels c ON c.id = g.channel_id "
        "ORDER BY g.id"
    )


def grant_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "client_id": row.get("client_id"),
        "channel_id": row["channel_id"],
        "channel_title": row.get("channel_title"),
        "scopes": row["scopes"].split(),
        "via": row["via"],
        "code_challenge_method": row["code_challenge_method"],
        "created_at": to_rfc3339(row["created_at"]),
        "revoked": row["revoked_at"] is not None,
        "revoked_at": to_rfc3339(row["revoked_at"]) if row["revoked_at"] else None,
    }
