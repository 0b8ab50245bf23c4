"""Issue 12's planner target: the queue and the calendar with 100,000 jobs load their data
in under 150 ms on SQLite, printed beside the same with 1,000 jobs.

Two fleets are built through the migrations (bench/fleet_data.py; cached by schema head
like fleet_scale's): 1,000 and 100,000 upload jobs spread over a year around the fleet's
"now", 100 channels. Each case runs the page's own State handler in a signed-in tab
(bench/state_harness.py), median of `--repeat` runs, the two fleets alternating.

    python bench/planner_scale.py [--repeat 15] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fleet_cases import Case, Env, navigate, page
from bench.fleet_data import Scale, fleet, schema_head
from bench.fleet_scale import _bytes, _ms, measure

# Named small/large for the harness; sized for the planner (their own cache names).
THOUSAND = Scale("small", projects=2, channels=100, jobs=1_000, ledger=1_000, alerts=10, audit=100)
HUNDRED_K = Scale(
    "large", projects=4, channels=100, jobs=100_000, ledger=1_000, alerts=10, audit=100
)


def _calendar(days: int) -> Any:
    def run(env: Env) -> Any:
        from app.states.calendar import CalendarState

        monday = env.fleet.anchor - timedelta(days=env.fleet.anchor.weekday())
        start = monday.replace(hour=0, minute=0, second=0, microsecond=0)
        return env.pages.call(
            CalendarState.set_range, start.isoformat(), (start + timedelta(days=days)).isoformat()
        )

    return run


CASES = [
    Case("Uploads queue load", page("/uploads", "load", "uploads"), navigate("/uploads"), True),
    Case(
        "Uploads queue search (a title word)",
        page("/uploads", "set_search", "uploads", "launch"),
        navigate("/uploads"),
        True,
    ),
    Case("Calendar week", _calendar(7), navigate("/calendar"), True),
    Case("Calendar month (6 weeks)", _calendar(42), navigate("/calendar"), True),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args()
    os.environ.setdefault("TUBEFLEET_LOG_LEVEL", "WARNING")
    server = os.environ.get("TUBEFLEET_TEST_DATABASE_URL") or None
    print("| what | db | 1,000 jobs ms | 100,000 jobs ms | ratio | sent (100k) |")
    print("|---|---|---:|---:|---:|---:|")
    for backend in args.db.split(","):
        if backend == "postgres" and not server:
            print("PostgreSQL skipped: TUBEFLEET_TEST_DATABASE_URL is not set.", file=sys.stderr)
            continue
        envs = []
        for scale, label in ((THOUSAND, "1k"), (HUNDRED_K, "100k")):
            f = fleet(
                scale, backend, server_url=server, name=f"tubefleet_planner_{label}_{schema_head()}"
            )
            how = "cached" if f.built_seconds is None else f"built in {f.built_seconds:.0f} s"
            print(f"{backend} {label}: {f.location} ({how})", file=sys.stderr)
            envs.append(Env(f, Path(tempfile.mkdtemp(prefix=f"planner-{backend}-{label}-"))))
        for case in CASES:
            r = measure(case, envs[0], envs[1], args.repeat, budget=60.0)
            small, large = r.ms["small"], r.ms["large"]
            print(
                f"| {case.name} | {backend} | {_ms(small)} | {_ms(large)} | "
                f"{large / max(small, 0.001):.1f}x | {_bytes(r.sent['large'])} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
