"""The streaming multipart/related reader used by simple uploads."""

from __future__ import annotations

import io
import json
import os
from email.generator import BytesGenerator
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart

import pytest

from sandbox.multipart import RelatedReader, boundary_of


class VerbatimGenerator(BytesGenerator):
    """Writes payload lines untouched, as google-api-python-client's generator does."""

    _write_lines = BytesGenerator.write


def client_body(metadata: dict, media: bytes) -> tuple[bytes, str]:
    """Built the way google-api-python-client builds it (email generator, LF line ends)."""
    root = MIMEMultipart("related")
    root._write_headers = lambda self: None  # type: ignore[attr-defined]
    meta = MIMENonMultipart("application", "json")
    meta.set_payload(json.dumps(metadata))
    root.attach(meta)
    part = MIMENonMultipart("video", "mp4")
    part["Content-Transfer-Encoding"] = "binary"
    part.set_payload(media)
    root.attach(part)
    out = io.BytesIO()
    VerbatimGenerator(out, mangle_from_=False).flatten(root, unixfrom=False)
    return out.getvalue(), f'multipart/related; boundary="{root.get_boundary()}"'


@pytest.mark.parametrize("piece", [1, 7, 4096, 10**9])
def test_reads_metadata_and_streams_media_whatever_the_piece_size(piece):
    media = os.urandom(20_000) + b"\r\n--not-the-boundary\n"
    body, content_type = client_body({"snippet": {"title": "x"}}, media)
    sink = io.BytesIO()
    reader = RelatedReader(boundary_of(content_type), sink)
    for start in range(0, len(body), piece):
        reader.feed(body[start : start + piece])
    assert reader.done
    assert json.loads(reader.metadata) == {"snippet": {"title": "x"}}
    assert reader.media_headers["content-type"] == "video/mp4"
    assert sink.getvalue() == media and reader.media_bytes == len(media)


def test_crlf_bodies_work_too():
    body = (
        b"--B\r\nContent-Type: application/json\r\n\r\n{}\r\n--B\r\n"
        b"Content-Type: image/png\r\n\r\nDATA\r\n--B--\r\n"
    )
    sink = io.BytesIO()
    reader = RelatedReader(b"B", sink)
    reader.feed(body)
    assert reader.done and bytes(reader.metadata) == b"{}" and sink.getvalue() == b"DATA"


def test_boundary_of():
    assert boundary_of('multipart/related; boundary="===123=="') == b"===123=="
    assert boundary_of("multipart/related; boundary=abc") == b"abc"
    assert boundary_of("multipart/related") is None
