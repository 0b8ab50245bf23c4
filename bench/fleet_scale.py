"""Fleet scale: what each page's State does on load and poll, and each periodic tick, at
SMALL and LARGE, on SQLite and (with TUBEFLEET_TEST_DATABASE_URL) PostgreSQL.

    python bench/fleet_scale.py [--repeat 15] [--budget 60] [--db sqlite,postgres]

Fleets come from bench/fleet_data.py (built through the migrations, cached). Pages run
through bench/state_harness.py: the real State classes, signed in with a real session
cookie, their handlers called as Reflex calls them; the bytes are the JSON of the state
update the browser would receive. Before each timed poll one running upload moves on
(its progress written, as a worker does every chunk), so "per poll" is a poll with a
little live change; the second table is a poll right after another with nothing changed.
Each measurement alternates SMALL and LARGE; the median of --repeat runs is printed
(LARGE runs fewer when one run takes long: at most --budget seconds per measurement; the
count is in the table). Ticks that write (claims, token candidates) are rolled back.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fleet_cases import CASES, Case, Env, move_one_upload  # noqa: E402
from bench.fleet_data import LARGE, SMALL, fleet  # noqa: E402


@dataclass
class Result:
    ms: dict[str, float] = field(default_factory=dict)  # scale -> median ms
    runs: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)  # scale -> median bytes per run
    unchanged: dict[str, int] = field(default_factory=dict)  # scale -> bytes, no change


def _once(case: Case, env: Env) -> tuple[float, int]:
    env.activate()
    if case.setup is not None:
        case.setup(env)
    if case.live_change:
        move_one_upload(env)
    started = time.perf_counter()
    case.run(env)
    seconds = time.perf_counter() - started
    return seconds * 1000, env.pages.sent() if case.page else 0


def measure(case: Case, small: Env, large: Env, repeat: int, budget: float) -> Result:
    """Median ms (and bytes) of `repeat` runs each, alternating SMALL and LARGE."""
    times: dict[str, list[float]] = {"small": [], "large": []}
    sizes: dict[str, list[int]] = {"small": [], "large": []}
    large_runs = repeat
    for i in range(repeat):
        for env in (small, large):
            scale = env.fleet.scale.name
            if scale == "large" and i >= large_runs:
                continue
            ms, sent = _once(case, env)
            times[scale].append(ms)
            sizes[scale].append(sent)
            if scale == "large" and i == 0:
                large_runs = max(3, min(repeat, int(budget * 1000 / max(ms, 1))))
    result = Result()
    for scale in times:
        result.ms[scale] = statistics.median(times[scale])
        result.runs[scale] = len(times[scale])
        result.sent[scale] = int(statistics.median(sizes[scale]))
    if case.page and getattr(case.run, "handler", "") == "refresh":
        for env in (small, large):
            env.activate()
            case.setup(env)
            case.run(env)
            env.pages.clean()
            case.run(env)
            result.unchanged[env.fleet.scale.name] = env.pages.sent()
    return result


def run_backend(
    backend: str, server: str | None, repeat: int, budget: float, only: str
) -> tuple[dict[str, Result], dict[str, Any]]:
    info: dict[str, Any] = {}
    envs = []
    for scale in (SMALL, LARGE):
        f = fleet(scale, backend, server_url=server)
        info[scale.name] = f
        envs.append(Env(f, Path(tempfile.mkdtemp(prefix=f"fleet-{backend}-{scale.name}-"))))
    results: dict[str, Result] = {}
    for case in CASES:
        if only and not any(part.strip().lower() in case.name.lower() for part in only.split(",")):
            continue
        results[case.name] = measure(case, envs[0], envs[1], repeat, budget)
        r = results[case.name]
        print(
            f"  {backend:8} {case.name:40} {r.ms['small']:9.1f} -> {r.ms['large']:9.1f} ms"
            f" ({r.runs['large']} runs), {r.sent['large']:,} B",
            file=sys.stderr,
            flush=True,
        )
    return results, info


def _ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:,.0f}" if v >= 10 else f"{v:.1f}")


def _bytes(n: int | None) -> str:
    if n is None:
        return "—"
    return (
        f"{n / 1_048_576:.2f} MB"
        if n >= 1_048_576
        else f"{n / 1024:.1f} KB"
        if n >= 1024
        else f"{n} B"
    )


def table(all_results: dict[str, dict[str, Result]]) -> str:
    """The two Markdown tables: times and bytes per poll, then bytes of unchanged polls."""
    backends = ["sqlite", "postgres"]
    lines = [
        "| what | SQLite SMALL ms | LARGE ms | ratio | PG SMALL ms | LARGE ms | ratio "
        "| sent (LARGE) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = [c.name for c in CASES if any(c.name in r for r in all_results.values())]
    for name in names:
        cells = [name]
        sent = None
        for backend in backends:
            r = all_results.get(backend, {}).get(name)
            if r is None:
                cells += ["—", "—", "—"]
                continue
            runs = f" [{r.runs['large']} runs]" if r.runs["large"] != r.runs["small"] else ""
            ratio = r.ms["large"] / r.ms["small"] if r.ms["small"] else 0
            cells += [_ms(r.ms["small"]), _ms(r.ms["large"]) + runs, f"{ratio:.0f}x"]
            if r.sent.get("large"):
                sent = r.sent["large"]
        cells.append(_bytes(sent) if sent else "—")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Polls with no change (the second of two polls in a row):",
        "",
        "| page poll | SQLite SMALL | SQLite LARGE | PG SMALL | PG LARGE |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in names:
        row = [name]
        found = False
        for backend in backends:
            r = all_results.get(backend, {}).get(name)
            for scale in ("small", "large"):
                value = r.unchanged.get(scale) if r else None
                found = found or value is not None
                row.append(_bytes(value))
        if found:
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds of LARGE runs per measurement before repeats are cut",
    )
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument(
        "--only",
        default="",
        help="run the measurements whose name has this (or one of these, comma-separated)",
    )
    args = parser.parse_args()
    os.environ.setdefault("TUBEFLEET_LOG_LEVEL", "WARNING")
    server = os.environ.get("TUBEFLEET_TEST_DATABASE_URL") or None
    all_results: dict[str, dict[str, Result]] = {}
    notes = []
    for backend in args.db.split(","):
        if backend == "postgres" and not server:
            notes.append("PostgreSQL skipped: TUBEFLEET_TEST_DATABASE_URL is not set.")
            continue
        all_results[backend], info = run_backend(
            backend, server, args.repeat, args.budget, args.only
        )
        for scale, f in info.items():
            how = "cached" if f.built_seconds is None else f"built in {f.built_seconds:.0f} s"
            notes.append(f"{backend} {scale}: {f.location} ({how})")
    print(
        f"Median of {args.repeat} runs, SMALL and LARGE alternating; LARGE cells marked "
        f"[n runs] ran n times (a {args.budget:.0f} s budget per measurement).\n"
    )
    print(table(all_results))
    print()
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
