"""API tokens (issue 13): made with the CLI, shown once, stored hashed, refused once
revoked or expired or when the owner is disabled, and every use in the audit log."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from app.cli import main
from core import api_tokens, auth, clock, db
from core.auth import SystemActor
from core.errors import InputError, NotAllowed
from models import ApiToken, AuditEvent, Role
from tests.integration.api_client import asgi_app, bearer, token_for
from tests.integration.world import person

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(any_database: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=asgi_app(), client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://tubefleet") as c:
        yield c
    clock.reset()


def test_cli_creates_a_token_shown_once_and_stores_only_its_hash(
    any_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    person("ops@example.com", Role.OPERATOR)
    assert main(["token", "create", "ops@example.com", "--name", "render farm", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["token"].startswith("tfk_") and made["role"] == "operator"
    with db.read_session() as s:
        row = s.exec(select(ApiToken)).one()
    assert row.token_hash == api_tokens.token_hash(made["token"])
    assert made["token"] not in row.model_dump_json()
    assert main(["token", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in listed] == ["render farm"]
    assert "token" not in listed[0] and made["token"] not in json.dumps(listed)


def test_cli_says_what_is_wrong(any_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    person("mia@example.com", Role.MARKETER)
    assert main(["token", "create", "nobody@example.com", "--name", "x"]) == 2
    assert "no user with email nobody@example.com" in capsys.readouterr().err
    assert main(["token", "create", "mia@example.com", "--name", "x", "--role", "admin"]) == 2
    assert "at most marketer" in capsys.readouterr().err
    assert main(["token", "create", "mia@example.com", "--name", "x", "--group", "Nope"]) == 2
    assert "no channel is in a group named 'Nope'" in capsys.readouterr().err
    assert main(["token", "revoke", "999"]) == 2
    assert "API token 999 does not exist" in capsys.readouterr().err


def test_a_person_makes_tokens_only_for_themselves(any_database: str) -> None:
    mia = person("mia@example.com")
    person("ops@example.com", Role.OPERATOR)
    with db.session() as s, pytest.raises(NotAllowed):
        api_tokens.create_token(session=s, actor=mia, owner_email="ops@example.com", name="x")
    with db.session() as s, pytest.raises(InputError, match="name"):
        api_tokens.create_token(session=s, actor=mia, owner_email=mia.email, name="  ")


async def test_no_token_or_a_bad_one_gets_401_problem(client: httpx.AsyncClient) -> None:
    for headers in ({}, bearer("tfk_not-a-real-token"), {"authorization": "Basic abc"}):
        response = await client.get("/api/v1/uploads", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert body["status"] == 401 and body["title"] == "Unauthorized" and body["detail"]


async def test_revoked_expired_and_disabled_owner_tokens_are_refused(
    client: httpx.AsyncClient,
) -> None:
    person("mia@example.com")
    revoked, expiring, owner_gone = (token_for("mia@example.com", name=n) for n in "abc")
    assert (await client.get("/api/v1/uploads", headers=bearer(revoked))).status_code == 200
    with db.session() as s:
        [row] = s.exec(select(ApiToken).where(ApiToken.name == "a")).all()
        assert row.id is not None
        api_tokens.revoke_token(session=s, token_id=row.id, actor=SystemActor("test"))
        s.exec(select(ApiToken).where(ApiToken.name == "b")).one().expires_at = (
            clock.now() + timedelta(hours=1)
        )
    refused = await client.get("/api/v1/uploads", headers=bearer(revoked))
    assert refused.status_code == 401 and refused.json()["detail"] == "this API token was revoked"
    assert (await client.get("/api/v1/uploads", headers=bearer(expiring))).status_code == 200
    clock.shift(timedelta(hours=2))
    expired = await client.get("/api/v1/uploads", headers=bearer(expiring))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    with db.session() as s:
        [user] = auth.list_users(session=s)
        assert user.id is not None
        auth.update_user(session=s, user_id=user.id, actor="test", disabled=True)
    disabled = await client.get("/api/v1/uploads", headers=bearer(owner_gone))
    assert disabled.status_code == 401 and "disabled" in disabled.json()["detail"]


async def test_use_is_recorded_at_most_once_a_minute_per_token(client: httpx.AsyncClient) -> None:
    person("mia@example.com")
    token = token_for("mia@example.com")
    for _ in range(5):
        assert (await client.get("/api/v1/uploads", headers=bearer(token))).status_code == 200
    clock.shift(timedelta(seconds=61))
    moved = clock.now()
    assert (await client.get("/api/v1/uploads", headers=bearer(token))).status_code == 200
    with db.read_session() as s:
        uses = s.exec(select(AuditEvent).where(AuditEvent.action == "api.token_used")).all()
        row = s.exec(select(ApiToken)).one()
    assert len(uses) == 2
    assert uses[0].actor == "mia@example.com" and uses[0].detail == "GET /api/v1/uploads"
    assert uses[0].ip == "127.0.0.1"
    assert row.last_used_at is not None and clock.as_utc(row.last_used_at) >= moved
