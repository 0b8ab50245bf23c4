"""SandboxControl: a small synchronous client of the sandbox's /_sandbox/ control API."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import httpx

# The control token, when the sandbox runs with one: read by both sides, and from the
# environment rather than the command line, where `ps` shows it to everyone.
TOKEN_ENV = "SANDBOX_CONTROL_TOKEN"
# Methods that change state: their bodies must be JSON (the sandbox refuses anything else,
# which is what keeps a web page's no-cors POST out).
_WRITES = frozenset({"POST", "PUT", "PATCH"})


class SandboxControlError(RuntimeError):
    """The control API refused a request; `status` and the sandbox's message are kept."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"sandbox control API answered {status}: {message}")
        self.status = status
        self.message = message


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class SandboxControl:
    """Every method returns the JSON answer as plain dicts/lists."""

    def __init__(self, base_url: str, *, timeout: float = 60.0, token: str | None = None) -> None:
        """token: the sandbox's control token (default: $SANDBOX_CONTROL_TOKEN, if set)."""
        self.base_url = base_url.rstrip("/")
        token = token or os.environ.get(TOKEN_ENV) or None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=self.base_url + "/_sandbox", timeout=timeout, headers=headers
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, json: Any = None, params: Any = None) -> dict[str, Any]:
        if json is None and method in _WRITES:
            json = {}  # still sent as application/json: the sandbox refuses other bodies
        response = self._http.request(method, path, json=json, params=params)
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise SandboxControlError(response.status_code, str(message))
        answer: dict[str, Any] = response.json()  # every control answer is an object
        return answer

    def _items(self, path: str, key: str, params: Any = None) -> list[dict[str, Any]]:
        """A listing: the list under `key` in the answer to GET `path`."""
        items: list[dict[str, Any]] = self._call("GET", path, params=params)[key]
        return items

    # --- projects, accounts, channels, grants ---------------------------------------

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")

    def create_project(
        self,
        name: str | None = None,
        *,
        verified: bool | None = None,
        limits: dict[str, int] | None = None,
        quota_model: str | None = None,
        redirect_uris: list[str] | None = None,
        consent_status: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "verified": verified,
            "limits": limits,
            "quota_model": quota_model,
            "redirect_uris": redirect_uris,
            "consent_status": consent_status,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        return self._call("POST", "/projects", _clean(body))

    def projects(self) -> list[dict[str, Any]]:
        return self._items("/projects", "projects")

    def project(self, client_id: str) -> dict[str, Any]:
        return self._call("GET", f"/projects/{client_id}")

    def update_project(self, client_id: str, **fields: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/projects/{client_id}", fields)

    def create_account(self, email: str, name: str | None = None) -> dict[str, Any]:
        return self._call("POST", "/accounts", _clean({"email": email, "name": name}))

    def accounts(self) -> list[dict[str, Any]]:
        return self._items("/accounts", "accounts")

    def create_channel(
        self,
        account: str | int,
        title: str,
        *,
        brand: bool = False,
        custom_thumbnails: bool = True,
        daily_upload_cap: int | None = None,
        handle: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "account": account,
            "title": title,
            "brand": brand,
            "custom_thumbnails": custom_thumbnails,
            "daily_upload_cap": daily_upload_cap,
            "handle": handle,
            **extra,
        }
        return self._call("POST", "/channels", _clean(body))

    def channels(self) -> list[dict[str, Any]]:
        return self._items("/channels", "channels")

    def update_channel(self, channel_id: str, **fields: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/channels/{channel_id}", fields)

    def grant(
        self, client_id: str, channel_id: str, scopes: list[str] | None = None
    ) -> dict[str, Any]:
        """Consent without a browser; the answer has refresh_token and access_token."""
        body = _clean({"client_id": client_id, "channel_id": channel_id, "scopes": scopes})
        return self._call("POST", "/grants", body)

    def grants(self) -> list[dict[str, Any]]:
        return self._items("/grants", "grants")

    def revoke_grant(self, grant_id: int) -> dict[str, Any]:
        return self._call("DELETE", f"/grants/{grant_id}")

    # --- what happened -----------------------------------------------------------------

    def videos(
        self,
        *,
        channel_id: str | None = None,
        client_id: str | None = None,
        include_deleted: bool = False,
    ) -> list[dict[str, Any]]:
        params = _clean(
            {
                "channel_id": channel_id,
                "client_id": client_id,
                "include_deleted": "true" if include_deleted else None,
            }
        )
        return self._items("/videos", "videos", params=params)

    def video(self, video_id: str) -> dict[str, Any]:
        return self._call("GET", f"/videos/{video_id}")

    def set_processing(
        self, video_id: str, outcome: str, reason: str | None = None
    ) -> dict[str, Any]:
        """outcome: processed | failed | rejected | processing."""
        return self._call(
            "POST", f"/videos/{video_id}/processing", _clean({"outcome": outcome, "reason": reason})
        )

    def uploads(self) -> list[dict[str, Any]]:
        return self._items("/uploads", "uploads")

    def quota(self, client_id: str) -> dict[str, Any]:
        return self._call("GET", "/quota", params={"client_id": client_id})

    def all_quota(self) -> list[dict[str, Any]]:
        return self._items("/quota", "projects")

    def log(self, **filters: Any) -> list[dict[str, Any]]:
        """Filters: method, status, reason, client_id, channel_id, since_id, limit."""
        return self._items("/log", "entries", params=_clean(filters))

    def clear_log(self) -> None:
        self._call("DELETE", "/log")

    # --- faults, clock, settings, reset ------------------------------------------------

    def add_fault(
        self,
        action: str,
        *,
        method: str | None = None,
        nth: int = 1,
        count: int = 1,
        client_id: str | None = None,
        channel_id: str | None = None,
        **details: Any,
    ) -> dict[str, Any]:
        """action: status (status=, reason=), drop (after_bytes=), auth_401, latency
        (latency_ms=)."""
        match = _clean(
            {"method": method, "nth": nth, "client_id": client_id, "channel_id": channel_id}
        )
        return self._call(
            "POST", "/faults", {"action": action, "count": count, "match": match, **details}
        )

    def faults(self) -> list[dict[str, Any]]:
        return self._items("/faults", "faults")

    def delete_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def clock(self) -> dict[str, Any]:
        return self._call("GET", "/clock")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self._call("POST", "/clock", {"advance": seconds})

    def set_clock(self, moment: datetime | str) -> dict[str, Any]:
        value = moment.isoformat() if isinstance(moment, datetime) else moment
        return self._call("POST", "/clock", {"set": value})

    def reset_clock(self) -> dict[str, Any]:
        return self._call("POST", "/clock", {"reset": True})

    def freeze_clock(self, frozen: bool = True) -> dict[str, Any]:
        """Stop (or restart) sandbox time, so numbers that grow with it hold still."""
        return self._call("POST", "/clock", {"freeze": frozen})

    def video_stats(
        self, video_id: str, *, at: str | None = None, since: str | None = None
    ) -> dict[str, Any]:
        """The audience model for a video: curve, counts at `at`, window [since, at)."""
        params = _clean({"at": at, "since": since})
        return self._call("GET", f"/stats/videos/{video_id}", params=params)

    def channel_stats(self, channel_id: str, *, at: str | None = None) -> dict[str, Any]:
        return self._call("GET", f"/stats/channels/{channel_id}", params=_clean({"at": at}))

    def settings(self) -> dict[str, Any]:
        return self._call("GET", "/settings")

    def update_settings(self, **fields: Any) -> dict[str, Any]:
        return self._call("PATCH", "/settings", fields)

    def reset(self, *, seed: bool = True) -> dict[str, Any]:
        return self._call("POST", "/reset", {"seed": seed})
