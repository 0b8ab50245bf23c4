"""POST/GET /api/v1/uploads as a pipeline uses it (issue 13): real HTTP through the app's
ASGI stack, the real database, the sandbox publishing what arrived."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from core import db, uploads
from core.settings import get_settings, reload_settings
from models import Role, TargetKind, UploadJob, UploadState
from tests.integration.api_client import asgi_app, bearer, token_for
from tests.integration.world import SandboxWorld, fake_video, md5_of, person, run_jobs_until_done

pytestmark = pytest.mark.anyio
MB = 1024 * 1024
BOUNDARY = "tubefleet-test-boundary"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=asgi_app(), client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://tubefleet", timeout=60) as c:
        yield c


def media_files() -> list[str]:
    return sorted(os.listdir(get_settings().media_dir))


def multipart_parts(fields: dict[str, str], video: Path) -> tuple[bytes, bytes]:
    """The bytes before and after the video's content in a multipart body."""
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="video"; '
        f'filename="{video.name}"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


async def test_a_retried_upload_makes_one_job_that_publishes_the_same_bytes(
    upload_world: SandboxWorld, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    channel = upload_world.connected_channel(upload_world.project(), "Pipeline Channel")
    person("farm@example.com", Role.MARKETER)
    token = token_for("farm@example.com")
    video = fake_video(tmp_path / "render.mp4", 3 * MB + 777)
    fields = {
        "title": "Render 42",
        "privacy": "public",
        "target": "channel",
        "channel_id": str(channel.id),
        "tags": "render, farm",
    }
    head, tail = multipart_parts(fields, video)
    halfway, release = asyncio.Event(), asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield head
        with video.open("rb") as f:
            yield f.read(MB)
            halfway.set()
            await release.wait()  # the retry arrives now, while this one streams
            while block := f.read(256 * 1024):
                yield block
        yield tail

    headers = {**bearer(token), **MULTIPART, "idempotency-key": "render-42"}
    first = asyncio.create_task(
        client.post("/api/v1/uploads", content=slow_body(), headers=headers)
    )
    await halfway.wait()
    during = await client.post(
        "/api/v1/uploads", content=head + video.read_bytes() + tail, headers=headers
    )
    assert during.status_code == 409, during.text
    assert during.headers["retry-after"] and during.json()["status"] == 409
    release.set()
    created = await first
    assert created.status_code == 201, created.text
    [job] = created.json()["jobs"]
    assert created.headers["location"] == f"/api/v1/uploads/{job['id']}"
    after = await client.post(
        "/api/v1/uploads", content=head + video.read_bytes() + tail, headers=headers
    )
    assert after.status_code == 201 and after.headers["idempotent-replayed"] == "true"
    assert [j["id"] for j in after.json()["jobs"]] == [job["id"]]
    with db.read_session() as s:
        assert len(s.exec(select(UploadJob)).all()) == 1
    done = run_jobs_until_done([job["id"]])[job["id"]]
    assert done.state == UploadState.PUBLISHED, done.state_reason
    [stored] = upload_world.control.videos(channel_id=channel.youtube_id)
    assert stored["md5"] == md5_of(video) and stored["title"] == "Render 42"
    read = (await client.get(f"/api/v1/uploads/{job['id']}", headers=bearer(token))).json()
    assert read["state"] == "published" and read["video_id"] == stored["id"]
    assert read["youtube_url"] == f"https://www.youtube.com/watch?v={stored['id']}"
    assert read["bytes_confirmed"] == video.stat().st_size
    assert [h["to_state"] for h in read["history"]][-1] == "published"


async def test_raw_body_with_header_fields_and_every_field_error_at_once(
    world: SandboxWorld, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    world.connected_channel(world.project())
    person("farm@example.com")
    token = token_for("farm@example.com")
    video = fake_video(tmp_path / "raw.mp4", MB)
    before = media_files()
    bad = {"title": "", "when": "yesterday 9am", "privacy": "secret", "colour": "red"}
    refused = await client.post(
        "/api/v1/uploads",
        content=video.read_bytes(),
        headers={**bearer(token), "x-upload-metadata": json.dumps(bad)},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert set(refused.json()["errors"]) == {"colour"}  # unknown fields first
    del bad["colour"]
    refused = await client.post(
        "/api/v1/uploads",
        content=video.read_bytes(),
        headers={**bearer(token), "x-upload-metadata": json.dumps(bad)},
    )
    assert refused.status_code == 422
    assert {"title", "when", "privacy"} <= set(refused.json()["errors"])
    assert media_files() == before  # refused before a byte was stored
    good = {"title": "Raw upload ✓", "when": "tomorrow 9am", "timezone": "Europe/Berlin"}
    created = await client.post(
        "/api/v1/uploads",
        content=video.read_bytes(),
        headers={
            **bearer(token),
            "x-upload-metadata": json.dumps(good),
            "x-upload-filename": "raw.mp4",
        },
    )
    assert created.status_code == 201, created.text
    [job] = created.json()["jobs"]
    assert job["state"] == "scheduled" and job["title"] == "Raw upload ✓"
    assert job["file_size"] == MB and job["file_name"] == "raw.mp4"
    not_video = await client.post(
        "/api/v1/uploads",
        content=b"hello " * 1000,
        headers={**bearer(token), "x-upload-metadata": json.dumps(good)},
    )
    assert not_video.status_code == 422
    assert "is not a video" in not_video.json()["errors"]["video"]


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TUBEFLEET_UPLOAD_MAX_BYTES", str(MB))
    reload_settings()
    yield
    monkeypatch.delenv("TUBEFLEET_UPLOAD_MAX_BYTES")
    reload_settings()


async def test_too_large_is_413_whether_announced_or_streamed(
    any_database: str, small_limit: None, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    person("farm@example.com")
    headers = {**bearer(token_for("farm@example.com")), **MULTIPART}
    before = media_files()
    video = fake_video(tmp_path / "big.mp4", 3 * MB)
    head, tail = multipart_parts({"title": "Big"}, video)
    announced = await client.post(
        "/api/v1/uploads", content=head + video.read_bytes() + tail, headers=headers
    )
    assert announced.status_code == 413 and "1,048,576 bytes" in announced.json()["detail"]

    async def unannounced() -> AsyncIterator[bytes]:  # chunked: no Content-Length
        yield head
        yield video.read_bytes()
        yield tail

    streamed = await client.post("/api/v1/uploads", content=unannounced(), headers=headers)
    assert streamed.status_code == 413
    assert streamed.headers["content-type"] == "application/problem+json"
    assert media_files() == before


async def test_404_and_422_for_ids_and_cursors(
    any_database: str, client: httpx.AsyncClient
) -> None:
    person("farm@example.com")
    auth = bearer(token_for("farm@example.com"))
    missing = await client.get("/api/v1/uploads/999", headers=auth)
    assert missing.status_code == 404 and "999" in missing.json()["detail"]
    for path in (
        "/api/v1/uploads/abc",
        "/api/v1/uploads?cursor=zzz",
        "/api/v1/uploads?limit=0",
        "/api/v1/uploads?state=lost",
    ):
        response = await client.get(path, headers=auth)
        assert response.status_code == 422, path
        assert response.json()["errors"], path
    nowhere = await client.get("/api/v1/nothing-here", headers=auth)
    assert nowhere.status_code == 404
    assert nowhere.headers["content-type"] == "application/problem+json"


def schedule(video: Path, actor: uploads.Actor, **target: object) -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video),
            file_name=video.name,
            title="Queued",
            when_text="tomorrow 9am",
            **target,  # type: ignore[arg-type]
        ),
        actor=actor,
    )
    return job_id


async def test_roles_and_group_scope_limit_what_a_token_reaches(
    world: SandboxWorld, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    project = world.project()
    music = world.connected_channel(project, "Music", group="Music")
    world.connected_channel(project, "News", group="News")
    person("boss@example.com", Role.ADMIN)
    person("mia@example.com", Role.MARKETER)
    ops = person("ops@example.com", Role.OPERATOR)
    video = fake_video(tmp_path / "v.mp4", MB)
    music_job = schedule(video, ops, target=TargetKind.CHANNEL, channel_id=music.id)
    news_job = schedule(video, ops, target=TargetKind.GROUP, group="News")
    marketer = bearer(token_for("mia@example.com"))
    boss_as_marketer = bearer(token_for("boss@example.com", role=Role.MARKETER))
    for token in (marketer, boss_as_marketer):
        refused = await client.post(f"/api/v1/uploads/{music_job}/cancel", headers=token)
        assert refused.status_code == 403 and "operator" in refused.json()["detail"]
    music_only = bearer(token_for("boss@example.com", group="Music"))
    listed = (await client.get("/api/v1/uploads", headers=music_only)).json()
    assert [j["id"] for j in listed["items"]] == [music_job]
    hidden = await client.get(f"/api/v1/uploads/{news_job}", headers=music_only)
    assert hidden.status_code == 404
    untouched = await client.post(f"/api/v1/uploads/{news_job}/cancel", headers=music_only)
    assert untouched.status_code == 404
    head, tail = multipart_parts({"title": "Anywhere", "target": "auto"}, video)
    elsewhere = await client.post(
        "/api/v1/uploads",
        content=head + video.read_bytes() + tail,
        headers={**music_only, **MULTIPART},
    )
    assert elsewhere.status_code == 403 and "Music" in elsewhere.json()["detail"]
    moved = await client.post(
        f"/api/v1/uploads/{music_job}/reschedule", json={"when": "in 3 days"}, headers=music_only
    )
    assert moved.status_code == 200 and moved.json()["state"] == "scheduled"
    cancelled = await client.post(f"/api/v1/uploads/{music_job}/cancel", headers=music_only)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    page = (
        await client.get("/api/v1/uploads?limit=1", headers=bearer(token_for("boss@example.com")))
    ).json()
    assert [j["id"] for j in page["items"]] == [news_job] and page["next_cursor"]
