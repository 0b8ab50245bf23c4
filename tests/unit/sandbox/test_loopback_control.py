"""The sandbox's control API (no authentication) answers loopback clients only."""

from __future__ import annotations

import asyncio

import httpx

from sandbox.app import create_app


def _get(client_host: str, path: str, **kwargs: bool) -> httpx.Response:
    app = create_app(**kwargs)

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client_host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3001") as c:
            return await c.get(path)

    return asyncio.run(go())


def test_control_api_refuses_other_machines() -> None:
    answer = _get("10.1.2.3", "/_sandbox/projects")
    assert answer.status_code == 403
    assert "loopback only" in answer.json()["error"]


def test_control_api_answers_loopback() -> None:
    assert _get("127.0.0.1", "/_sandbox/health").status_code == 200


def test_the_consent_side_stays_open_to_other_machines() -> None:
    assert _get("10.1.2.3", "/").status_code == 200


def test_remote_control_can_be_allowed_explicitly() -> None:
    answer = _get("10.1.2.3", "/_sandbox/health", allow_remote_control=True)
    assert answer.status_code == 200
