"""Issue 9: the sandbox's control API as a web page in the developer's browser would attack
it (no-cors POSTs, DNS rebinding, foreign origins), and what the sandbox leaves on disk.

The attacker's requests are plain HTTP (httpx) with the headers a browser would send; the
sandbox is a real `python -m sandbox` process. Every refusal is checked for having had no
effect through a legitimate call afterwards.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from sandbox.control import SandboxControl, SandboxControlError
from sandbox.testing import running_sandbox

# What a browser may send cross-site without asking first (a "simple" no-cors request).
NO_CORS_TYPES = [
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=----x",
]
ONE_DAY = json.dumps({"advance": 86400})
A_FAULT = json.dumps({"action": "status", "status": 503, "count": 100})


def _offset(control: SandboxControl) -> float:
    return control.clock()["offset_seconds"]


def _host_of(url: str) -> str:
    return urlsplit(url).netloc


# --- finding 1: CSRF and DNS rebinding ------------------------------------------------


@pytest.mark.parametrize("content_type", NO_CORS_TYPES)
def test_a_no_cors_post_cannot_move_the_clock(sandbox_url, control, content_type):
    before = _offset(control)
    answer = httpx.post(
        f"{sandbox_url}/_sandbox/clock", content=ONE_DAY, headers={"content-type": content_type}
    )
    assert answer.status_code == 415
    assert "application/json" in answer.json()["error"]
    assert _offset(control) == pytest.approx(before, abs=1)


@pytest.mark.parametrize("content_type", NO_CORS_TYPES)
def test_a_no_cors_post_cannot_inject_a_fault(sandbox_url, control, content_type):
    answer = httpx.post(
        f"{sandbox_url}/_sandbox/faults", content=A_FAULT, headers={"content-type": content_type}
    )
    assert answer.status_code == 415
    assert control.faults() == []


def test_an_empty_no_cors_post_cannot_reset_the_sandbox(sandbox_url, control):
    kept = control.create_project("Keep me")
    answer = httpx.post(
        f"{sandbox_url}/_sandbox/reset", content=b"", headers={"content-type": "text/plain"}
    )
    assert answer.status_code == 415
    assert [p["client_id"] for p in control.projects()] == [kept["client_id"]]


def test_a_dns_rebinding_page_is_refused(sandbox_url, control):
    """evil.example first resolves to the attacker, then to 127.0.0.1: the browser now
    calls it same-origin, but the Host header still says evil.example."""
    port = urlsplit(sandbox_url).port
    page = {
        "host": f"evil.example:{port}",
        "origin": f"http://evil.example:{port}",
        "sec-fetch-site": "same-origin",
    }
    before = _offset(control)
    read = httpx.get(f"{sandbox_url}/_sandbox/projects", headers=page)
    write = httpx.post(
        f"{sandbox_url}/_sandbox/clock",
        content=ONE_DAY,
        headers={**page, "content-type": "application/json"},
    )
    assert read.status_code == 403 and "Host" in read.json()["error"]
    assert write.status_code == 403
    assert _offset(control) == pytest.approx(before, abs=1)


@pytest.mark.parametrize(
    "page",
    [
        {"origin": "http://evil.example"},
        {"origin": "null"},  # a sandboxed iframe or a file:// page
        {"sec-fetch-site": "cross-site"},
        {"origin": "http://localhost:8000", "sec-fetch-site": "same-site"},  # another local app
    ],
    ids=["foreign-origin", "null-origin", "cross-site", "other-local-port"],
)
def test_a_foreign_page_is_refused(sandbox_url, control, page):
    before = _offset(control)
    write = httpx.post(
        f"{sandbox_url}/_sandbox/clock",
        content=ONE_DAY,
        headers={**page, "content-type": "application/json"},
    )
    fault = httpx.post(
        f"{sandbox_url}/_sandbox/faults",
        content=A_FAULT,
        headers={**page, "content-type": "application/json"},
    )
    read = httpx.get(f"{sandbox_url}/_sandbox/projects", headers=page)
    assert [write.status_code, fault.status_code, read.status_code] == [403, 403, 403]
    assert "web pages" in write.json()["error"]
    assert _offset(control) == pytest.approx(before, abs=1)
    assert control.faults() == []


def test_the_control_client_and_the_sandbox_own_pages_still_work(sandbox_url, control):
    """Not an attack (so it passes before the fix too): legitimate use keeps working."""
    project = control.create_project("Still works", verified=True)
    fault = control.add_fault("status", status=503, method="videos.list")
    assert [f["id"] for f in control.faults()] == [fault["id"]]
    control.delete_fault(fault["id"])  # a DELETE without a body
    control.clear_faults()
    before = _offset(control)
    assert control.advance_clock(60)["offset_seconds"] == pytest.approx(before + 60, abs=1)
    control.update_settings(processing_delay=2.0)  # PATCH
    control.clear_log()
    assert control.project(project["client_id"])["name"] == "Still works"
    # The sandbox's own pages (a link from its home page, a typed URL) stay usable.
    own = {"origin": f"http://{_host_of(sandbox_url)}", "sec-fetch-site": "same-origin"}
    assert httpx.get(f"{sandbox_url}/_sandbox/", headers=own).status_code == 200
    typed = httpx.get(f"{sandbox_url}/_sandbox/clock", headers={"sec-fetch-site": "none"})
    assert typed.status_code == 200


def test_a_control_token_is_demanded_when_the_sandbox_has_one():
    with running_sandbox(control_token="t0ken-for-tests") as url:
        assert httpx.get(f"{url}/_sandbox/projects").status_code == 401
        wrong = httpx.get(f"{url}/_sandbox/projects", headers={"authorization": "Bearer guessed"})
        assert wrong.status_code == 401
        assert httpx.get(f"{url}/_sandbox/health").status_code == 200  # liveness only
        with SandboxControl(url, token="nope") as stranger, pytest.raises(SandboxControlError):
            stranger.advance_clock(86400)
        with SandboxControl(url, token="t0ken-for-tests") as owner:
            assert owner.clock()["offset_seconds"] == pytest.approx(0, abs=1)
            assert owner.create_project("With a token")["client_secret"]


# --- finding 2: credentials and file modes on disk ------------------------------------


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    """The sandbox process inherits it; 022 is the usual one that leaves files readable."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _database_files(data_dir: Path) -> dict[str, Path]:
    names = ("sandbox.db", "sandbox.db-wal", "sandbox.db-shm")
    return {name: data_dir / name for name in names if (data_dir / name).exists()}


def test_the_project_secret_is_shown_once_and_still_works(sandbox_url, control):
    project = control.create_project("Shown once", verified=True)
    account = control.create_account("eve@example.com")
    channel = control.create_channel(account["email"], "Eve Cooks")
    grant = control.grant(project["client_id"], channel["id"])
    assert project["client_secret"].startswith("GOCSPX-")
    assert "client_secret" not in control.project(project["client_id"])
    assert all("client_secret" not in p for p in control.projects())
    token = httpx.post(
        f"{sandbox_url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
            "client_id": project["client_id"],
            "client_secret": project["client_secret"],
        },
    )
    assert token.status_code == 200 and token.json()["access_token"]
    wrong = httpx.post(
        f"{sandbox_url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
            "client_id": project["client_id"],
            "client_secret": "GOCSPX-guessed",
        },
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_no_client_secret_or_token_lies_in_the_clear_on_disk(tmp_path):
    data_dir = tmp_path / "sandbox-data"
    with running_sandbox(data_dir) as url, SandboxControl(url) as control:
        project = control.create_project(
            "On disk", verified=True, client_secret="GOCSPX-chosen-by-the-test-0123"
        )
        account = control.create_account("mallory@example.com")
        channel = control.create_channel(account["email"], "Mallory Makes")
        grant = control.grant(project["client_id"], channel["id"])
        refreshed = httpx.post(
            f"{url}/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": grant["refresh_token"],
                "client_id": project["client_id"],
                "client_secret": project["client_secret"],
            },
        )
        assert refreshed.status_code == 200
        credentials = {
            "client secret": project["client_secret"].encode(),
            "refresh token": grant["refresh_token"].encode(),
            "access token": grant["access_token"].encode(),
            "refreshed access token": refreshed.json()["access_token"].encode(),
        }
        running = {name: path.read_bytes() for name, path in _database_files(data_dir).items()}
        # The database is in WAL mode and the process is alive: all three files exist, so
        # this test reads what a copy of the folder would hold at that moment.
        assert set(running) == {"sandbox.db", "sandbox.db-wal", "sandbox.db-shm"}
        assert project["client_id"].encode() in running["sandbox.db"] + running["sandbox.db-wal"]
    stopped = {name: path.read_bytes() for name, path in _database_files(data_dir).items()}
    for moment, files in (("running", running), ("stopped", stopped)):
        for file_name, content in files.items():
            for what, secret in credentials.items():
                assert secret not in content, f"{what} in the clear in {file_name} ({moment})"


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "existing-folder"])
def test_the_data_folder_and_database_files_are_owner_only(tmp_path, existing):
    data_dir = tmp_path / "sandbox-data"
    if existing:
        data_dir.mkdir(mode=0o755)
        os.chmod(data_dir, 0o755)
    with _umask(0o022), running_sandbox(data_dir) as url, SandboxControl(url) as control:
        control.create_project("Modes")  # a write, so the WAL and SHM exist
        files = _database_files(data_dir)
        modes = {name: stat.S_IMODE(path.stat().st_mode) for name, path in files.items()}
        folder = stat.S_IMODE(data_dir.stat().st_mode)
    assert folder == 0o700
    assert modes == {"sandbox.db": 0o600, "sandbox.db-wal": 0o600, "sandbox.db-shm": 0o600}
