"""The `tubefleet` command: one subcommand module per area, each adding its parsers.

A subcommand works on the database unless its parser sets `needs_schema=False` (those
that migrate it themselves, or need none); for every other one the entry checks once,
before it runs, that the database is at the newest migration.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli import (
    channels,
    credentials,
    demo,
    output,
    projects,
    quota,
    runtime,
    tokens,
    uploads,
    users,
)
from core.process import private_umask


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tubefleet",
        description="Operations dashboard for a fleet of YouTube channels.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (runtime, users, projects, channels, credentials, demo, uploads, quota, tokens):
        module.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    private_umask()  # before anything can create a file
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from core import db
    from core.process import init_process

    parser = build_parser()
    args = parser.parse_args(argv)
    init_process()
    try:
        if getattr(args, "needs_schema", True):
            try:
                db.require_schema()
            except OperationalError as exc:  # unreachable server, unreadable file
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                output.fail(f"cannot open the database: {reason}")
                return 2
        return int(args.handler(args) or 0)
    except db.SchemaNotReady as exc:
        output.fail(str(exc))
        return 2
    except output.CommandError as exc:
        output.fail(str(exc))
        return 2
    except (OperationalError, ProgrammingError) as exc:
        if not db.is_missing_table(exc):
            raise
        output.fail(f"the database lacks TubeFleet's tables: {db.MIGRATE_HINT}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `tubefleet channels --json | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
