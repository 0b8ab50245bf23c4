"""running_sandbox(): start `python -m sandbox` as a subprocess for tests and scripts."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from sandbox.control import TOKEN_ENV

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)
_OPTION_FLAGS = {
    "access_token_lifetime": "--token-lifetime",
    "token_lifetime": "--token-lifetime",
    "processing_delay": "--processing-delay",
    "public_url": "--public-url",
    "http": "--http",
}


class SandboxStartError(RuntimeError):
    """The sandbox process exited or stayed silent instead of listening."""


def _command(data_dir: Path | None, port: int | None, opts: dict[str, Any]) -> list[str]:
    command = [sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port or 0)]
    if data_dir is not None:
        command += ["--data", str(data_dir)]
    for name, value in opts.items():
        if name not in _OPTION_FLAGS:
            raise TypeError(f"unknown sandbox option {name!r}; use {sorted(_OPTION_FLAGS)}")
        command += [_OPTION_FLAGS[name], str(value)]
    return command


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    stdout = process.stdout
    assert stdout is not None
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0].strip() if line else ""


@contextmanager
def running_sandbox(
    data_dir: Path | None = None,
    port: int | None = None,
    *,
    startup_timeout: float = 30,
    **opts: Any,
) -> Iterator[str]:
    """Yield the base URL (e.g. "http://127.0.0.1:43123") of a fresh sandbox process.

    Port None picks a free port (the process binds port 0 and reports it, so there is no
    race). Options: access_token_lifetime, processing_delay, public_url, http, and
    control_token (handed over in the environment, not on the command line)."""
    env = dict(os.environ)
    token = opts.pop("control_token", None)
    if token is not None:
        env[TOKEN_ENV] = token
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            _command(data_dir, port, opts),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
        try:
            line = _first_line(process, startup_timeout)
            prefix = "sandbox listening on "
            if not line.startswith(prefix):
                errors.seek(0)
                raise SandboxStartError(
                    f"sandbox did not start (said {line!r}); stderr:\n{errors.read()[-4000:]}"
                )
            url = line[len(prefix) :]
            httpx.get(f"{url}/_sandbox/health", timeout=10).raise_for_status()
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
