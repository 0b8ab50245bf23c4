"""Two processes claim the same 200 work items: each is done once, a killed one's are taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, insert, select

from tests.integration.lease_worker import executions, items, metadata

ROOT = Path(__file__).resolve().parents[2]


def _start(url: str, owner: str, per_item: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.lease_worker", url, owner, per_item],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TUBEFLEET_ENV_FILE": ""},
    )


def test_two_processes_do_each_item_exactly_once_even_when_one_is_killed(any_database: str) -> None:
    engine = create_engine(any_database)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(items), [{"id": i, "state": "todo"} for i in range(1, 201)])

    web = _start(any_database, "web", "0.01")
    worker = _start(any_database, "worker", "0.01")
    # Let the worker get going, then kill it without warning while it holds leases.
    deadline = time.monotonic() + 30
    assert worker.stdout is not None
    started = 0
    # 22 is mid-batch (batches of 5), so the dead worker still holds 3 leases.
    while started < 22 and time.monotonic() < deadline:
        if worker.stdout.readline().startswith("done"):
            started += 1
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    with engine.connect() as conn:
        held_by_dead = (
            conn.execute(
                select(items.c.id).where(items.c.lease_owner == "worker", items.c.state == "todo")
            )
            .scalars()
            .all()
        )

    _, err = web.communicate(timeout=120)
    assert web.returncode == 0, err

    with engine.connect() as conn:
        states = Counter(conn.execute(select(items.c.state)).scalars())
        runs = conn.execute(select(executions.c.item_id, executions.c.owner)).all()
    metadata.drop_all(engine)
    engine.dispose()

    assert states == {"done": 200}
    per_item = Counter(item_id for item_id, _ in runs)
    assert len(per_item) == 200 and set(per_item.values()) == {1}, "an item ran twice or never"
    owners = {item_id: owner for item_id, owner in runs}
    assert started == 22 and Counter(owners.values())["worker"] >= 22
    # What the killed worker held when it died was finished by the survivor.
    assert held_by_dead, "the worker died holding no lease; the test proved nothing"
    assert all(owners[i] == "web" for i in held_by_dead)
