"""Idempotency keys (issue 13): the claim, the fenced completion, the takeover of a dead
first request, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from core import clock, db, idempotency
from tests.integration.api_client import token_for
from tests.integration.world import person


@pytest.fixture
def token_id(any_database: str) -> Iterator[int]:
    from sqlmodel import select

    from models import ApiToken

    person("farm@example.com")
    token_for("farm@example.com")
    with db.read_session() as s:
        found = s.exec(select(ApiToken.id)).one()
    assert found is not None
    yield found
    clock.reset()


def test_first_claims_retry_waits_then_gets_the_jobs(token_id: int) -> None:
    first = idempotency.claim(token_id=token_id, key="k")
    assert isinstance(first, idempotency.Claimed)
    assert isinstance(idempotency.claim(token_id=token_id, key="k"), idempotency.Busy)
    assert isinstance(idempotency.claim(token_id=token_id, key="other"), idempotency.Claimed)
    with db.session() as s:
        idempotency.complete(s, token_id=token_id, key="k", owner=first.owner, job_ids=[7, 8])
    assert idempotency.claim(token_id=token_id, key="k") == idempotency.Done([7, 8])


def test_a_failed_first_request_lets_the_retry_run_anew(token_id: int) -> None:
    first = idempotency.claim(token_id=token_id, key="k")
    assert isinstance(first, idempotency.Claimed)
    idempotency.release(token_id=token_id, key="k", owner=first.owner)
    assert isinstance(idempotency.claim(token_id=token_id, key="k"), idempotency.Claimed)


def test_a_dead_first_request_is_taken_over_and_cannot_complete(token_id: int) -> None:
    first = idempotency.claim(token_id=token_id, key="k")
    assert isinstance(first, idempotency.Claimed)
    clock.shift(idempotency.LEASE + timedelta(seconds=1))
    second = idempotency.claim(token_id=token_id, key="k")
    assert isinstance(second, idempotency.Claimed) and second.owner != first.owner
    with pytest.raises(idempotency.LostClaim):
        idempotency.renew(token_id=token_id, key="k", owner=first.owner)
    with pytest.raises(idempotency.LostClaim), db.session() as s:
        idempotency.complete(s, token_id=token_id, key="k", owner=first.owner, job_ids=[1])
    with db.session() as s:
        idempotency.complete(s, token_id=token_id, key="k", owner=second.owner, job_ids=[2])
    assert idempotency.claim(token_id=token_id, key="k") == idempotency.Done([2])
    with db.session() as s:
        assert idempotency.prune(session=s, older_than=timedelta(0)) == 1
