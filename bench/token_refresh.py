"""How long one token refresh tick takes for a large pool, by refresh concurrency.

    python bench/token_refresh.py [--channels 500] [--concurrency 1,8,16] [--latency-ms 0,50]

A sandbox process plays Google's token endpoint; TubeFleet's pool lives in an SQLite
file. Before each tick every channel's token is made to expire within the refresh
buffer, so each tick refreshes the whole pool. Loopback has no network delay, so the
sandbox can add some to every token call (--latency-ms; Google's token endpoint is tens
of milliseconds away), which is where refresh concurrency pays off.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox_ingest import start, stop  # noqa: E402


def build_pool(sandbox_url: str, count: int) -> None:
    from core import clock, db, projects, vault
    from models import Channel, ChannelState
    from sandbox.control import SandboxControl

    with SandboxControl(sandbox_url) as control:
        made = control.create_project("bench", verified=True)
        account = control.create_account("pool@example.com", "Pool")
        grants = []
        for n in range(count):
            yt = control.create_channel(account["id"], f"Pool {n}", brand=True)
            grants.append((yt["id"], control.grant(made["client_id"], yt["id"])))
    now = clock.now()
    with db.session() as s:
        project = projects.add_project(
            session=s,
            name="bench",
            client_id=made["client_id"],
            client_secret=made["client_secret"],
            is_sandbox=True,
            actor="bench",
        )
        s.add_all(
            Channel(
                youtube_id=yt_id,
                project_id=project.id or 0,
                title=yt_id,
                refresh_token_enc=vault.encrypt(grant["refresh_token"]),
                token_expires_at=now,
                connected_at=now,
                created_at=now,
                state=ChannelState.ACTIVE,
            )
            for yt_id, grant in grants
        )


def expire_all() -> None:
    from sqlalchemy import update

    from core import clock, db
    from models import Channel

    with db.session() as s:
        s.execute(update(Channel).values(token_expires_at=clock.now() + timedelta(minutes=5)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--concurrency", default="1,8,16")
    parser.add_argument("--latency-ms", default="0,50")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tubefleet-bench-") as tmp:
        sandbox, url = start(
            [sys.executable, "-m", "sandbox", "--port", "0", "--data", str(Path(tmp) / "sandbox")],
            "sandbox listening on ",
        )
        try:
            os.environ.update(
                {
                    "TUBEFLEET_ENV_FILE": "",
                    "TUBEFLEET_DATA_DIR": tmp,
                    "TUBEFLEET_SANDBOX_URL": url,
                    "TUBEFLEET_MODE": "sandbox",
                    "TUBEFLEET_LOG_LEVEL": "WARNING",
                }
            )
            from core import db, tokens
            from core.process import init_process
            from core.settings import reload_settings

            init_process()
            db.migrate()
            build_pool(url, args.channels)
            from sandbox.control import SandboxControl

            control = SandboxControl(url)
            print(f"{args.channels} channels, every token due; seconds for one tick:")
            print(
                f"{'token call latency':>20} "
                + " ".join(f"{'x' + c:>10}" for c in args.concurrency.split(","))
            )
            for latency in (int(ms) for ms in args.latency_ms.split(",")):
                control.clear_faults()
                if latency:
                    control.add_fault(
                        "latency", method="token", latency_ms=latency, count=10_000_000
                    )
                cells = []
                for concurrency in (int(c) for c in args.concurrency.split(",")):
                    os.environ["TUBEFLEET_TOKEN_REFRESH_CONCURRENCY"] = str(concurrency)
                    reload_settings()
                    expire_all()
                    report = tokens.refresh_due()
                    assert report.refreshed == args.channels, report
                    cells.append(f"{report.seconds:>9.2f}s")
                print(f"{str(latency) + ' ms':>20} " + " ".join(cells), flush=True)
            print("(xN = TUBEFLEET_TOKEN_REFRESH_CONCURRENCY; default 8)")
        finally:
            stop(sandbox)


if __name__ == "__main__":
    main()
