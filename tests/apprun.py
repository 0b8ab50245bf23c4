"""Start TubeFleet's run command as a child process group and wait until it says it is ready.

Shared by the browser tests (the README's run command) and the first-start test (a fresh
clone); both read the output for the printed credentials and URLs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

READY_LINE = "TubeFleet is ready"


@dataclass
class AppProcess:
    """A started run command: its process (own process group) and every line it printed."""

    proc: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    @property
    def text(self) -> str:
        return "\n".join(self.output)

    def wait_ready(self, timeout: float = 900) -> bool:
        """True once the ready line was printed; False if it exited or timed out first."""
        deadline = time.monotonic() + timeout
        while not self.ready.is_set() and self.proc.poll() is None:
            if time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        time.sleep(0.5)  # let the lines printed right after it (credentials) arrive
        return self.ready.is_set()

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM the whole group; SIGKILL it if it has not exited within `timeout`."""
        with contextlib.suppress(ProcessLookupError):  # it may have exited already
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def start(command: list[str], *, cwd: Path, env: dict[str, str]) -> AppProcess:
    """Start `command` in its own session and collect its output on a thread."""
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    app = AppProcess(proc)

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            app.output.append(line.rstrip("\n"))
            if READY_LINE in line:
                app.ready.set()

    threading.Thread(target=pump, daemon=True).start()
    return app
