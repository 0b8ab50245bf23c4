"""The `tubefleet` command: one subcommand module per area, each adding its parsers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli import output, pool, quota, runtime, uploads, users


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tubefleet",
        description="Operations dashboard for a fleet of YouTube channels.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (runtime, users, pool, uploads, quota):
        module.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from core.runtime import init_process

    parser = build_parser()
    args = parser.parse_args(argv)
    init_process()
    try:
        return int(args.handler(args) or 0)
    except output.CommandError as exc:
        output.fail(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `tubefleet channels --json | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
