"""The sandbox server's HTTP/1.1 request parsing."""

from __future__ import annotations

import pytest

from sandbox.http_parsing import ChunkedDecoder, HttpParseError, parse_head


def test_head_with_content_length_and_expect():
    head = parse_head(
        b"PUT /upload?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n"
        b"Expect: 100-continue\r\nX-Thing:  spaced  "
    )
    assert (head.method, head.target, head.version) == ("PUT", b"/upload?x=1", "1.1")
    assert head.content_length == 42 and not head.chunked
    assert head.keep_alive and head.expect_continue
    assert (b"x-thing", b"spaced") in head.headers


def test_keep_alive_rules():
    assert not parse_head(b"GET / HTTP/1.1\r\nConnection: close").keep_alive
    assert not parse_head(b"GET / HTTP/1.0").keep_alive
    assert parse_head(b"GET / HTTP/1.0\r\nConnection: keep-alive").keep_alive


def test_chunked_wins_over_length_and_closes_afterwards():
    head = parse_head(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5")
    assert head.chunked and not head.keep_alive


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /",
        b"GET / HTTP/2.0",
        b"GET / HTTP/1.1\r\nBad Header: x",
        b"GET / HTTP/1.1\r\nA: b\r\n folded",
        b"POST / HTTP/1.1\r\nContent-Length: -1",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip",
    ],
)
def test_malformed_heads(raw):
    with pytest.raises(HttpParseError):
        parse_head(raw)


def test_chunked_decoder_across_arbitrary_splits():
    body = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT"
    for split in range(1, len(body)):
        decoder, buffer, out = ChunkedDecoder(), bytearray(), []
        for piece in (body[:split], body[split:]):
            buffer += piece
            out += decoder.feed(buffer)
        assert b"".join(out) == b"hello world" and decoder.done
        assert bytes(buffer) == b"NEXT"


def test_chunked_decoder_rejects_garbage():
    with pytest.raises(HttpParseError):
        ChunkedDecoder().feed(bytearray(b"zz\r\n"))
    with pytest.raises(HttpParseError):
        ChunkedDecoder().feed(bytearray(b"2\r\nabXY"))
