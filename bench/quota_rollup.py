"""Quota page load time with a small and a huge ledger: the rollups keep it flat.

    python bench/quota_rollup.py [--small 1000] [--large 1000000] [--repeat 15]

Builds two temporary SQLite databases with the same fleet (several projects,
channels and methods) and a week of calls: --small and --large ledger rows,
spread over the last 7 days with a day/night rhythm, plus the rollups and
today's usage rows that the quota engine would have written for exactly those
calls. Then it times what the Quota page loads (core.quota_report.quota_report:
gauges, forecast, 7-day hourly series, today's breakdown by method and by
channel), alternating between the databases so machine noise hits both alike,
and prints the medians and their ratio (target: under 2), for a page refresh
and for the first load on a new database connection.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
PROJECTS = 4
CHANNELS_PER_PROJECT = 12
# (method, weight): mostly cheap reads, some writes, a few uploads; channel-less calls too.
METHODS = [
    ("videos.list", 40),
    ("channels.list", 18),
    ("playlistItems.list", 14),
    ("videos.update", 6),
    ("thumbnails.set", 4),
    ("playlistItems.insert", 4),
    ("videos.insert", 5),
    ("search.list", 3),
    ("captions.insert", 1),
    ("videoCategories.list", 1),
]
CHANNEL_LESS = {"videoCategories.list"}
FAILURE_RATE = 0.01
BATCH = 50_000
# SQLAlchemy's SQLite DATETIME text format (what UTCDateTime stores).
SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"


@dataclass
class Built:
    label: str
    url: str
    ledger_rows: int
    rollup_rows: int
    seconds: float


def _configure(data_dir: Path, url: str) -> None:
    os.environ["TUBEFLEET_ENV_FILE"] = ""
    os.environ["TUBEFLEET_DATA_DIR"] = str(data_dir)
    os.environ["TUBEFLEET_DATABASE_URL"] = url
    os.environ.setdefault("TUBEFLEET_LOG_LEVEL", "WARNING")
    from core import db
    from core.settings import reload_settings

    reload_settings()
    db.dispose()


def build(label: str, folder: Path, ledger_rows: int, now: datetime, seed: int) -> Built:
    """A migrated database holding `ledger_rows` calls of one week, and their rollups."""
    from sqlmodel import select

    from core import clock, db
    from models import Channel, ChannelState, Project
    from youtube import costs

    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'tubefleet.db'}"
    _configure(folder, url)
    db.migrate()

    with db.session() as s:
        for p in range(PROJECTS):
            # Raised limits: a week of a million calls needs Google's quota increases.
            s.add(
                Project(
                    name=f"Bench project {p + 1}",
                    client_id=f"bench-{p}.apps.test",
                    client_secret_enc="not-a-secret",
                    quota_policy={"preset": "current", "limits": {"default": 250_000}},
                    created_at=now,
                )
            )
        s.flush()
        project_ids = [p.id or 0 for p in s.exec(select(Project)).all()]
        for pid in project_ids:
            for c in range(CHANNELS_PER_PROJECT):
                s.add(
                    Channel(
                        youtube_id=f"UC{pid:02d}{c:04d}",
                        project_id=pid,
                        title=f"Channel {pid}-{c + 1}",
                        refresh_token_enc="x",
                        state=ChannelState.ACTIVE,
                        connected_at=now,
                        created_at=now,
                    )
                )
        s.flush()
        channels_by_project: dict[int, list[int]] = {pid: [] for pid in project_ids}
        for ch in s.exec(select(Channel)).all():
            channels_by_project[ch.project_id].append(ch.id or 0)

    rng = random.Random(seed)
    # Hours of the week, busy Pacific daytime hours weighted higher (a day/night rhythm);
    # the current hour only as far as it has gone.
    first_hour = (now - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    hours = [first_hour + timedelta(hours=h) for h in range(7 * 24 + 1)]
    seconds = [min(3600.0, (now - h).total_seconds()) for h in hours]
    weights = [
        s / 3600 * (1.0 if 7 <= h.astimezone(clock.PACIFIC).hour <= 22 else 0.35)
        for h, s in zip(hours, seconds, strict=True)
    ]
    methods, method_weights = zip(*METHODS, strict=True)
    charge = {m: costs.bucket_and_cost(m, {"preset": "current"}) for m in methods}
    raw = db.engine().raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN")
        made = 0
        while made < ledger_rows:
            n = min(BATCH, ledger_rows - made)
            batch = []
            for hi, method, pid in zip(
                rng.choices(range(len(hours)), weights, k=n),
                rng.choices(methods, method_weights, k=n),
                rng.choices(project_ids, k=n),
                strict=True,
            ):
                at = hours[hi] + timedelta(seconds=rng.random() * seconds[hi])
                channel = None if method in CHANNEL_LESS else rng.choice(channels_by_project[pid])
                bucket, units = charge[method]
                outcome = "quotaExceeded" if rng.random() < FAILURE_RATE else "ok"
                batch.append(
                    (
                        at.strftime(SQLITE_TS),
                        clock.pacific_day(at).isoformat(),
                        pid,
                        channel,
                        method,
                        bucket,
                        units,
                        "background",
                        outcome,
                    )
                )
            cur.executemany(
                "INSERT INTO quota_ledger (at, day, project_id, channel_id, method, bucket, "
                "units, priority, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
            made += n
        # The rollups and today's counters, exactly as the engine would have left them.
        cur.execute(
            "INSERT INTO quota_bucket_hours (project_id, bucket, hour, calls, units, failures) "
            "SELECT project_id, bucket, substr(at, 1, 13) || ':00:00.000000', COUNT(*), "
            "SUM(units), SUM(outcome != 'ok') FROM quota_ledger "
            "GROUP BY project_id, bucket, substr(at, 1, 13)"
        )
        cur.execute(
            "INSERT INTO quota_day_details (project_id, bucket, method, channel_id, day, "
            "calls, units, failures) "
            "SELECT project_id, bucket, method, COALESCE(channel_id, 0), day, COUNT(*), "
            "SUM(units), SUM(outcome != 'ok') FROM quota_ledger "
            "GROUP BY project_id, bucket, method, COALESCE(channel_id, 0), day"
        )
        cur.execute(
            "INSERT INTO quota_usage (project_id, bucket, day, used, limit_units, "
            "alerted_percent) SELECT project_id, bucket, day, SUM(units), "
            "CASE bucket WHEN 'default' THEN 250000 ELSE 100 END, 0 "
            "FROM quota_ledger GROUP BY project_id, bucket, day"
        )
        cur.execute("COMMIT")
        cur.execute("ANALYZE")
        ledger = cur.execute("SELECT COUNT(*) FROM quota_ledger").fetchone()[0]
        rollups = (
            cur.execute("SELECT COUNT(*) FROM quota_bucket_hours").fetchone()[0]
            + cur.execute("SELECT COUNT(*) FROM quota_day_details").fetchone()[0]
        )
    finally:
        raw.close()
    db.dispose()
    return Built(label, url, ledger, rollups, time.perf_counter() - started)


def measure(
    built: list[Built], folder: Path, now: datetime, repeat: int
) -> dict[tuple[str, str], list[float]]:
    """Alternate between the databases. Per round and database: a timed first load on a
    new connection, then a timed refresh (what the page's 10-second poller pays)."""
    from core import db, quota_report

    def load() -> tuple[float, quota_report.QuotaReport]:
        t0 = time.perf_counter()
        with db.read_session() as s:
            report = quota_report.quota_report(session=s, now=now)
        return time.perf_counter() - t0, report

    times: dict[tuple[str, str], list[float]] = {}
    for round_ in range(repeat + 1):
        for b in built:
            _configure(folder, b.url)
            first, shown = load()
            refresh, again = load()
            assert shown == again and sum(shown.series[0].units) > 0
            if round_:  # round 0 warms SQLite's page cache for both files
                times.setdefault((b.label, "refresh"), []).append(refresh)
                times.setdefault((b.label, "first"), []).append(first)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000, help="ledger rows (small)")
    parser.add_argument("--large", type=int, default=1_000_000, help="ledger rows (large)")
    parser.add_argument("--repeat", type=int, default=15, help="timed loads per database")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args()
    if args.small < 1 or args.large < args.small or args.repeat < 1:
        parser.error("need 1 <= --small <= --large and --repeat >= 1")

    folder = Path(tempfile.mkdtemp(prefix="tubefleet-bench-quota-"))
    # One instant for building and loading, so both databases see the same week.
    now = datetime.now(UTC)
    try:
        print(f"building databases in {folder} ...", flush=True)
        built = []
        for label, rows, seed in (("small", args.small, 1), ("large", args.large, 2)):
            b = build(label, folder / label, rows, now, seed)
            print(
                f"  {label}: {b.ledger_rows:,} ledger rows, {b.rollup_rows:,} rollup rows, "
                f"built in {b.seconds:.1f} s",
                flush=True,
            )
            built.append(b)
        times = measure(built, folder, now, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    def ms(
        label: str, kind: str, pick: Callable[[list[float]], float] = statistics.median
    ) -> float:
        return pick(times[(label, kind)]) * 1000

    print()
    print(
        f"Quota page data load (core.quota_report.quota_report), SQLite, {args.repeat} loads each"
    )
    header = f"{'':<40}{'small':>12}{'large':>12}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    print(f"{'ledger rows':<40}{built[0].ledger_rows:>12,}{built[1].ledger_rows:>12,}")
    print(f"{'rollup rows':<40}{built[0].rollup_rows:>12,}{built[1].rollup_rows:>12,}")
    rows = [
        ("refresh, median (ms)", "refresh", statistics.median),
        ("refresh, fastest (ms)", "refresh", min),
        ("refresh, slowest (ms)", "refresh", max),
        ("first load on a connection, median (ms)", "first", statistics.median),
    ]
    for title, kind, pick in rows:
        small, large = ms("small", kind, pick), ms("large", kind, pick)
        print(f"{title:<40}{small:>12.1f}{large:>12.1f}{large / small:>8.2f}")
    print("-" * len(header))
    ratio = ms("large", "refresh") / ms("small", "refresh")
    verdict = "OK" if ratio < TARGET_RATIO else "ABOVE TARGET"
    print(f"page refresh ratio large / small: {ratio:.2f} (target < {TARGET_RATIO:g}): {verdict}")
    print(
        "(the page reads today's counters, a week of per-bucket hours and today's "
        "per-method/channel rows; never the ledger)"
    )
    return 0 if ratio < TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
