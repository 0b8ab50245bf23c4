"""How commands print: a table for people, or --json for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any


class CommandError(Exception):
    """A failure the user can fix; printed without a traceback, exit status 2."""


def fail(message: str) -> None:
    print(f"tubefleet: error: {message}", file=sys.stderr)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def emit_json(data: Any) -> None:
    print(json.dumps(data, default=_default, indent=2, sort_keys=False))


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    """A plain aligned text table."""
    rows = list(rows)
    if not rows:
        print("(none)")
        return

    def cell(value: Any) -> str:
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S %Z")
        return "" if value is None else str(value)

    widths = {c: max(len(c), *(len(cell(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.upper().ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(cell(r.get(c)).ljust(widths[c]) for c in columns))


def listing(rows: list[dict[str, Any]], columns: Sequence[str], as_json: bool) -> None:
    if as_json:
        emit_json(rows)
    else:
        table(rows, columns)


def read_secret(prompt: str) -> str:
    """A secret from stdin: typed at a hidden prompt, or piped in (first line)."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt)
    value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise CommandError(f"expected the {prompt.strip(': ').lower()} on standard input")
    return value
