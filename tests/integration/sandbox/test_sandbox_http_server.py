"""The sandbox's own HTTP/1.1 protocol: framing cases that Google clients and curl rely on."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def read_until(sock: socket.socket, marker: bytes, count: int = 1) -> bytes:
    data = b""
    while data.count(marker) < count:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    return data


def test_chunked_request_body(sandbox_url, control):
    body = iter([b'{"name": "chunked', b' body", "verified": true}'])
    answer = httpx.post(
        f"{sandbox_url}/_sandbox/projects",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 201 and answer.json()["name"] == "chunked body"


def test_pipelined_requests_are_answered_in_order(sandbox_url, control):
    with connect(sandbox_url) as sock:
        request = b"GET /_sandbox/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        sock.sendall(request + b"GET /_sandbox/settings HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        while b"processing_delay" not in data:
            data += sock.recv(65536)
    assert data.count(b"HTTP/1.1 200") == 2
    assert data.index(b"pacific_day") < data.index(b"processing_delay")


def test_expect_100_continue(sandbox_url, control):
    body = json.dumps({"name": "expect"}).encode()
    with connect(sandbox_url) as sock:
        sock.sendall(
            b"POST /_sandbox/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        assert read_until(sock, b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        answer = read_until(sock, b"}")
    assert answer.startswith(b"HTTP/1.1 201")


def test_malformed_request_gets_400_and_close(sandbox_url):
    with connect(sandbox_url) as sock:
        sock.sendall(b"NOT A REQUEST\r\n\r\n")
        answer = read_until(sock, b"received.")
    assert answer.startswith(b"HTTP/1.1 400") and b"connection: close" in answer


def test_head_has_no_body(sandbox_url):
    head = httpx.head(f"{sandbox_url}/")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0


def test_an_early_answer_skips_the_unread_body_and_keeps_the_connection(sandbox_url):
    with connect(sandbox_url) as sock:
        # No route reads this 1 MB body; the connection must still serve the next request.
        sock.sendall(
            b"POST /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n"
            + b"x" * 1_000_000
        )
        sock.sendall(b"GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        while b'"ok"' not in data:
            piece = sock.recv(65536)
            assert piece, data
            data += piece
    assert data.startswith(b"HTTP/1.1 404")
    assert b"HTTP/1.1 200" in data


def test_expect_100_continue_on_an_upload_chunk(sandbox_url, control):
    project = control.create_project("expect", verified=True)
    account = control.create_account("dan@example.com")
    channel = control.create_channel(account["email"], "Dan")
    token = control.grant(project["client_id"], channel["id"])["access_token"]
    body = b"v" * 1000
    start = httpx.post(
        f"{sandbox_url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
        json={"snippet": {"title": "expect"}},
        headers={"Authorization": f"Bearer {token}", "X-Upload-Content-Length": "1000"},
    )
    target = start.headers["location"].split("/", 3)[3]
    with connect(sandbox_url) as sock:
        sock.sendall(
            f"PUT /{target} HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
            f"Content-Range: bytes 0-999/1000\r\nContent-Length: 1000\r\n\r\n".encode()
        )
        assert read_until(sock, b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        answer = read_until(sock, b"youtube#video")
    assert answer.startswith(b"HTTP/1.1 200")
    assert control.videos()[0]["byte_count"] == 1000
