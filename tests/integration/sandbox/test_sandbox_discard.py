"""`discard_video_bytes`: resumable uploads hashed and counted but not kept, for tests of
multi-GiB videos. The answers, the byte counts and the MD5 stay what they would be."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from sandbox.blobs import MD5_UNKNOWN
from sandbox.control import SandboxControl, SandboxControlError
from sandbox.testing import running_sandbox
from tests.integration.sandbox.google_clients import (
    READONLY,
    UPLOAD,
    credentials_from_grant,
    youtube_client,
)
from tests.integration.sandbox.test_sandbox_resumable import (
    MIB,
    drive,
    insert_request,
    query_session,
)

SIZE = 24 * MIB + 12_345


def video(path: Path, size: int = SIZE) -> tuple[Path, str]:
    data = os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.md5(data).hexdigest()


def uploader(url: str, control: SandboxControl) -> tuple[Any, Any, dict[str, Any]]:
    project = control.create_project("Discarding", verified=True)
    account = control.create_account("dora@example.com", "Dora")
    channel = control.create_channel(account["email"], "Dora Streams")
    grant = control.grant(project["client_id"], channel["id"], [UPLOAD, READONLY])
    credentials = credentials_from_grant(grant, project, url)
    return credentials, youtube_client(credentials, url, refresh_on_401=False), channel


def test_discarded_bytes_keep_size_and_md5_through_faults_but_take_no_disk(
    tmp_path: Path,
) -> None:
    path, md5 = video(tmp_path / "clip.mp4")
    data_dir = tmp_path / "sandbox"
    with running_sandbox(data_dir) as url, SandboxControl(url) as control:
        assert control.update_settings(discard_video_bytes=True)["discard_video_bytes"] is True
        credentials, youtube, channel = uploader(url, control)
        control.add_fault("status", method="upload_chunk", nth=3, status=503)
        control.add_fault("drop", method="upload_chunk", nth=6, after_bytes=300_000)
        control.add_fault("auth_401", method="upload_chunk", nth=10)
        seen: list[Any] = []

        done = drive(insert_request(youtube, path), credentials, seen)

        assert done is not None and ("range", 4 * MIB + 300_000) in seen
        assert [f["fired"] for f in control.faults()] == [1, 1, 1]
        [stored] = control.videos(channel_id=channel["id"])
        assert stored["id"] == done["id"]
        assert stored["byte_count"] == SIZE and stored["md5"] == md5
        [session] = control.uploads()
        assert session["total"] == SIZE and session["received"] == SIZE
        [blob] = (data_dir / "blobs" / "uploads").iterdir()
        assert blob.stat().st_size == SIZE
        assert blob.stat().st_blocks * 512 < MIB, "the discarded bytes reached the disk"


def test_switching_mid_upload_gives_an_md5_that_says_it_is_unknown(
    sandbox_url: str, control: SandboxControl, tmp_path: Path
) -> None:
    path, md5 = video(tmp_path / "half.mp4", 4 * MIB + 99)
    credentials, youtube, channel = uploader(sandbox_url, control)
    control.update_settings(discard_video_bytes=True)
    request = insert_request(youtube, path)
    assert drive(request, credentials, [], stop_at=2 * MIB) is None
    control.update_settings(discard_video_bytes=False)

    done = drive(request, credentials, [])

    [stored] = control.videos(channel_id=channel["id"])
    assert stored["id"] == done["id"] and stored["byte_count"] == 4 * MIB + 99
    assert stored["md5"] == MD5_UNKNOWN != md5


def test_a_restart_forgets_the_running_md5_and_says_so(tmp_path: Path) -> None:
    path, _ = video(tmp_path / "restart.mp4", 3 * MIB + 5)
    data_dir = tmp_path / "sandbox"
    with running_sandbox(data_dir) as url, SandboxControl(url) as control:
        control.update_settings(discard_video_bytes=True)
        credentials, youtube, channel = uploader(url, control)
        first = insert_request(youtube, path)
        assert drive(first, credentials, [], stop_at=MIB) is None
        uri = first.resumable_uri

    with running_sandbox(data_dir) as url, SandboxControl(url) as control:
        assert control.settings()["discard_video_bytes"] is False  # settings are not kept
        credentials = credentials_from_grant(
            {"refresh_token": credentials.refresh_token, "scopes": [UPLOAD, READONLY]},
            control.projects()[0] | {"client_secret": credentials.client_secret},
            url,
        )
        second = insert_request(youtube_client(credentials, url, refresh_on_401=False), path)
        second.resumable_uri = url + uri[uri.index("/upload/") :]
        second.resumable_progress, _ = query_session(
            second.http, second.resumable_uri, path.stat().st_size
        )
        assert second.resumable_progress >= MIB

        done = drive(second, credentials, [])

        [stored] = control.videos(channel_id=channel["id"])
        assert stored["id"] == done["id"] and stored["byte_count"] == 3 * MIB + 5
        assert stored["md5"] == MD5_UNKNOWN


def test_the_setting_takes_only_true_or_false(control: SandboxControl) -> None:
    assert control.settings()["discard_video_bytes"] is False
    with pytest.raises(SandboxControlError) as refused:
        control.update_settings(discard_video_bytes="yes")
    assert refused.value.status == 400
    assert control.settings()["discard_video_bytes"] is False
