"""A worker process for the lease test: claims work items, records each execution once.

Run as `python -m tests.integration.lease_worker URL OWNER`. Each item's execution
row and its "done" mark commit in one transaction, fenced by the lease, so an
execution only counts if the worker still held the item.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from models.types import UTCDateTime

metadata = MetaData()
items = Table(
    "lease_test_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("state", String(16), nullable=False, default="todo"),
    Column("lease_owner", String(120)),
    Column("lease_expires_at", UTCDateTime()),
)
executions = Table(
    "lease_test_executions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, nullable=False),
    Column("owner", String(120), nullable=False),
)

LEASE = timedelta(seconds=2)


def work(url: str, owner: str, per_item_seconds: float) -> int:
    import os

    os.environ["TUBEFLEET_DATABASE_URL"] = url
    from core import db, lease

    done = 0
    while True:
        with db.session() as s:
            ids = lease.claim(
                session=s,
                model=items,
                owner=owner,
                ttl=LEASE,
                where=[items.c.state == "todo"],
                limit=5,
            )
        if not ids:
            with db.session() as s:
                left = s.execute(select(items.c.id).where(items.c.state == "todo")).first()
            if left is None:
                return done
            time.sleep(0.2)  # someone else holds the rest; wait for them or their expiry
            continue
        for item_id in ids:
            time.sleep(per_item_seconds)
            with db.session() as s:
                s.execute(insert(executions).values(item_id=item_id, owner=owner))
                finished = lease.complete(
                    session=s, model=items, row_id=item_id, owner=owner, state="done"
                )
                if not finished:
                    s.rollback()  # lost the lease: the execution must not count
            if finished:  # printed only once committed
                done += 1
                print(f"done {item_id}", flush=True)


if __name__ == "__main__":
    url, owner = sys.argv[1], sys.argv[2]
    per_item = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
    print(f"{owner} finished {work(url, owner, per_item)} items", flush=True)
