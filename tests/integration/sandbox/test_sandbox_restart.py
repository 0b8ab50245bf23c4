"""With a data directory, the sandbox's state survives a restart of its process."""

from __future__ import annotations

import hashlib
import os

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from sandbox.control import SandboxControl
from sandbox.testing import running_sandbox
from tests.integration.sandbox.google_clients import credentials_from_grant, youtube_client

CHUNK = 256 * 1024


def test_state_and_an_unfinished_upload_survive_a_restart(tmp_path):
    data_dir = tmp_path / "sandbox-data"
    clip = tmp_path / "clip.mp4"
    payload = os.urandom(5 * CHUNK + 77)
    clip.write_bytes(payload)

    with running_sandbox(data_dir) as url, SandboxControl(url) as control:
        project = control.create_project("Persistent", verified=True, limits={"default": 5})
        account = control.create_account("carol@example.com", "Carol")
        channel = control.create_channel(account["email"], "Carol Codes", brand=True)
        grant = control.grant(project["client_id"], channel["id"])
        control.advance_clock(3600)
        credentials = credentials_from_grant(grant, project, url)
        youtube = youtube_client(credentials, url)
        request = youtube.videos().insert(
            part="snippet",
            body={"snippet": {"title": "Across a restart"}},
            media_body=MediaFileUpload(
                str(clip), mimetype="video/mp4", chunksize=CHUNK, resumable=True
            ),
        )
        for _ in range(2):
            request.next_chunk(num_retries=0)
        session_uri = request.resumable_uri
        clock_before = control.clock()["offset_seconds"]

    with running_sandbox(data_dir) as url, SandboxControl(url) as control:
        assert [p["client_id"] for p in control.projects()] == [project["client_id"]]
        channels = {c["id"]: c for c in control.channels()}
        assert channels[channel["id"]]["brand"] is True
        assert channels[channel["id"]]["title"] == "Carol Codes"
        assert control.clock()["offset_seconds"] == pytest.approx(clock_before, abs=1)
        # Refresh tokens still work; the new port goes into the session URI host only.
        credentials = credentials_from_grant(grant, project, url)
        youtube = youtube_client(credentials, url)
        port_fixed_uri = url + session_uri[session_uri.index("/upload/") :]
        request = youtube.videos().insert(
            part="snippet",
            body={"snippet": {"title": "Across a restart"}},
            media_body=MediaFileUpload(
                str(clip), mimetype="video/mp4", chunksize=CHUNK, resumable=True
            ),
        )
        request.resumable_uri = port_fixed_uri
        response, _ = request.http.request(
            port_fixed_uri,
            "PUT",
            headers={"Content-Range": f"bytes */{len(payload)}", "Content-Length": "0"},
        )
        assert response.status == 308 and response["range"] == f"bytes=0-{2 * CHUNK - 1}"
        request.resumable_progress = 2 * CHUNK
        video = None
        while video is None:
            _, video = request.next_chunk(num_retries=0)
        stored = control.videos()
        assert [v["id"] for v in stored] == [video["id"]]
        assert stored[0]["md5"] == hashlib.md5(payload).hexdigest()
        used = control.quota(project["client_id"])["buckets"]
        assert used["videos.insert"]["used"] == 1

    with running_sandbox(data_dir) as url, SandboxControl(url) as control:
        assert control.video(video["id"])["md5"] == hashlib.md5(payload).hexdigest()
        youtube = youtube_client(credentials_from_grant(grant, project, url), url)
        listed = youtube.videos().list(part="snippet", id=video["id"]).execute()
        assert listed["items"][0]["snippet"]["title"] == "Across a restart"
        with pytest.raises(HttpError) as caught:
            for _ in range(6):
                youtube.channels().list(part="id", mine=True).execute()
        assert caught.value.error_details[0]["reason"] == "quotaExceeded"
