"""The control API's loopback rules: client addresses by `ipaddress`, Host names, JSON bodies."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sandbox.app import create_app
from sandbox.control_guard import is_loopback_address, is_loopback_host


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "127.255.255.254",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:127.1.2.3",
    ],
)
def test_loopback_client_addresses(address):
    assert is_loopback_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "192.168.1.20",
        "0.0.0.0",
        "::",
        "::ffff:10.0.0.1",
        "fe80::1",
        "127.evil",
        "127.0.0.1.evil.example",
        "::1.evil",
        "localhost",
        "",
        None,
        "testclient",
    ],
)
def test_anything_else_is_not_a_loopback_client(address):
    assert not is_loopback_address(address)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:3001",
        "127.0.0.2",
        "localhost",
        "LOCALHOST:80",
        "localhost.:3001",
        "[::1]:3001",
        "[::1]",
        "[::ffff:127.0.0.1]:3001",
    ],
)
def test_loopback_host_headers(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:3001",
        "127.0.0.1.nip.io:3001",
        "localhost.evil.example",
        "127.evil:3001",
        "::1",
        "127.0.0.1:abc",
        "[::1]x",
        "[::1",
        "",
        None,
        "0.0.0.0:3001",
        "10.0.0.1:3001",
    ],
)
def test_other_host_headers_are_refused(host):
    assert not is_loopback_host(host)


def _request(
    method: str,
    path: str,
    *,
    client: str = "127.0.0.1",
    base_url: str = "http://127.0.0.1:3001",
    remote: bool = False,
    **kwargs,
) -> httpx.Response:
    app = create_app(allow_remote_control=remote)

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
            return await c.request(method, path, **kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize("client", ["127.evil", "127.0.0.1.evil.example"])
def test_a_string_that_only_starts_like_loopback_is_refused(client):
    answer = _request("GET", "/_sandbox/projects", client=client)
    assert answer.status_code == 403 and "loopback only" in answer.json()["error"]


def test_an_ipv4_mapped_loopback_client_is_answered():
    """What a dual-stack (::) listener reports for a client on 127.0.0.1."""
    assert _request("GET", "/_sandbox/health", client="::ffff:127.0.0.1").status_code == 200


def test_a_foreign_host_name_is_refused_even_from_loopback():
    answer = _request("GET", "/_sandbox/projects", base_url="http://rebound.example:3001")
    assert answer.status_code == 403 and "Host" in answer.json()["error"]


def test_remote_control_lifts_the_loopback_rules_but_not_the_browser_rules():
    def remote(method: str, path: str, **kwargs) -> httpx.Response:
        return _request(
            method, path, client="10.1.2.3", base_url="http://devbox:3001", remote=True, **kwargs
        )

    assert remote("GET", "/_sandbox/health").status_code == 200
    assert remote("POST", "/_sandbox/clock", json={"advance": 1}).status_code == 200
    assert (
        remote(
            "POST",
            "/_sandbox/clock",
            content=b'{"advance": 1}',
            headers={"content-type": "text/plain"},
        ).status_code
        == 415
    )
    assert (
        remote("GET", "/_sandbox/clock", headers={"origin": "http://evil.example"}).status_code
        == 403
    )


def test_json_with_a_charset_is_json():
    answer = _request(
        "POST",
        "/_sandbox/clock",
        content=b'{"advance": 5}',
        headers={"content-type": "Application/JSON; charset=utf-8"},
    )
    assert answer.status_code == 200


def test_a_delete_needs_no_body_but_any_body_must_be_json():
    assert _request("DELETE", "/_sandbox/faults").status_code == 200
    answer = _request(
        "DELETE",
        "/_sandbox/faults",
        content=b"x=1",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 415


def test_a_post_without_any_content_type_is_refused():
    assert _request("POST", "/_sandbox/reset", content=b"").status_code == 415
