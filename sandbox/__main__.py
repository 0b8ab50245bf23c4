"""`python -m sandbox --port N [--host H] [--data DIR]`: run the sandbox standalone."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from sandbox.control import TOKEN_ENV
from sandbox.server import serve


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Local emulator of the YouTube Data API v3 and Google OAuth 2.0.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=3001, help="port (3001; 0 = any free)")
    parser.add_argument(
        "--data", type=Path, default=None, help="state directory; without it state is temporary"
    )
    parser.add_argument(
        "--token-lifetime", type=int, default=3600, help="access token lifetime in seconds (3600)"
    )
    parser.add_argument(
        "--processing-delay",
        type=float,
        default=2.0,
        help="seconds of sandbox time from upload to 'processed' (2.0)",
    )
    parser.add_argument(
        "--http",
        choices=("fast", "uvicorn"),
        default="fast",
        help="HTTP protocol: the sandbox's own fast one, or uvicorn's",
    )
    parser.add_argument(
        "--public-url", default=None, help="base URL to put in answers when behind a proxy"
    )
    parser.add_argument(
        "--allow-remote-control",
        action="store_true",
        help="answer the /_sandbox/ control API on every interface, not only "
        "loopback (pair it with a control token)",
    )
    parser.add_argument(
        "--control-token",
        default=os.environ.get(TOKEN_ENV) or None,
        help="demand `Authorization: Bearer TOKEN` on the control API "
        f"(default: ${TOKEN_ENV}; none = no token)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    def ready(url: str) -> None:
        print(f"sandbox listening on {url}", flush=True)

    try:
        serve(
            args.host,
            args.port,
            args.data,
            on_ready=ready,
            http=args.http,
            access_token_lifetime=args.token_lifetime,
            processing_delay=args.processing_delay,
            public_url=args.public_url,
            allow_remote_control=args.allow_remote_control,
            control_token=args.control_token,
        )
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
