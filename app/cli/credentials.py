"""`tubefleet keys|tokens`: the secrets the server keeps: the vault's encryption keys and
the channels' OAuth tokens."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.output import emit_json, fail
from core import db, tokens, vault


def add_parsers(sub: Any) -> None:
    keys = sub.add_parser("keys", help="encryption keys of the token vault")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    rotate = keys_sub.add_parser(
        "rotate",
        help="new key, re-encrypt every secret, retire old, scrub the database",
        description="Add a new key, re-encrypt every stored secret with it and retire the "
        "old keys; then, on SQLite, rewrite the database file (VACUUM) and empty "
        "its WAL so no old ciphertext stays in them. Other processes may keep "
        "running: their writes wait meanwhile.",
    )
    rotate.add_argument(
        "--wait",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for other processes' reads to finish before "
        "the WAL can be emptied (default 60)",
    )
    rotate.set_defaults(handler=cmd_keys_rotate)
    scrub = keys_sub.add_parser(
        "scrub",
        help="rewrite the SQLite database and empty its WAL (after a rotation that could not)",
    )
    scrub.add_argument("--wait", type=float, default=60.0, metavar="SECONDS")
    scrub.set_defaults(handler=cmd_keys_scrub)

    tok = sub.add_parser("tokens", help="OAuth tokens")
    tok_sub = tok.add_subparsers(dest="tokens_command", required=True, metavar="ACTION")
    refresh = tok_sub.add_parser("refresh", help="run one token refresh tick now")
    refresh.add_argument("--json", action="store_true")
    refresh.set_defaults(handler=cmd_tokens_refresh)


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    report = vault.rotate(scrub_wait_seconds=args.wait)
    print(
        f"re-encrypted {report.re_encrypted} secrets; retired {report.keys_retired} old "
        f"key(s)"
        + (
            f"; key file {report.key_file}"
            if report.key_file
            else "; keys come from TUBEFLEET_SECRET_KEY: remove the old keys from it now"
        )
    )
    return _scrub_outcome(report.scrub)


def cmd_keys_scrub(args: argparse.Namespace) -> int:
    report = db.scrub_sqlite(wait_seconds=args.wait)
    if report is None:
        print("nothing to do: the database is not SQLite")
        return 0
    return _scrub_outcome(report)


def _scrub_outcome(report: db.ScrubReport | None) -> int:
    """Exit status 1 when old row content may still be in the SQLite files."""
    if report is None:
        return 0
    if report.complete:
        print(report.detail)
        return 0
    fail(
        f"{report.detail}; old ciphertext may still be in the database files: run "
        "`tubefleet keys scrub` when the other processes are idle (or stopped)"
    )
    return 1


def cmd_tokens_refresh(args: argparse.Namespace) -> int:
    report = tokens.refresh_due()
    data = {
        "due": report.due,
        "refreshed": report.refreshed,
        "needs_reauth": report.needs_reauth,
        "failed": report.failed,
        "seconds": round(report.seconds, 3),
    }
    if args.json:
        emit_json(data)
    else:
        print(", ".join(f"{k}: {v}" for k, v in data.items()))
    return 0
