"""Sandbox ingest benchmark: resumable-upload rate and peak memory beside the loopback limit.

    python bench/sandbox_ingest.py [--sizes 256,1024] [--chunk-mib 64] [--repeat 3]

For each file size it starts a fresh sandbox process and, alternating so that machine noise
hits both alike, measures with curl over loopback:
  * sink:     `curl -T file` to a minimal server that reads Content-Length bytes into a
              reused buffer and discards them (the loopback limit);
  * 1 PUT:    session start, then the whole file in one `curl -T` PUT (the same command
              shape as the sink run);
  * chunked:  session start, then PUTs of --chunk-mib MiB chunks with Content-Range, in one
              curl process (`--next`, one keep-alive connection).
It prints the median rate of --repeat runs (after one warm-up run of each path, not counted,
so first-touch page-cache costs of a fresh VM do not land on one side), the ratio to the sink,
and the sandbox process's peak RSS (VmHWM) per file size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.control import SandboxControl  # noqa: E402

MIB = 1024 * 1024


# --- the discard sink ---------------------------------------------------------------------


class _Discard(socketserver.BaseRequestHandler):
    """Reads one request head, then Content-Length bytes into a reused buffer, answers 200.
    Blocking recv_into, no allocation per read: as cheap as a Python receiver gets, so the
    rate it sees is the loopback (and curl) limit, not the sink's."""

    def handle(self) -> None:
        sock = self.request
        buffer = bytearray(4 * MIB)
        view = memoryview(buffer)
        while True:
            head = b""
            while b"\r\n\r\n" not in head:
                piece = sock.recv(65536)
                if not piece:
                    return
                head += piece
            end = head.index(b"\r\n\r\n")
            length = 0
            for line in head[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            left = length - (len(head) - end - 4)
            while left > 0:
                count = sock.recv_into(view, min(left, len(buffer)))
                if not count:
                    return
                left -= count
            sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")


def run_sink(port: int) -> None:
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", port), _Discard) as server:
        print(f"sink listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()


# --- processes ------------------------------------------------------------------------------


def start(command: list[str], prefix: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith(prefix):
        process.kill()
        raise SystemExit(f"could not start {command}: {line!r}")
    return process, line[len(prefix) :]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


# --- one measured run -----------------------------------------------------------------------


def timed(command: list[str]) -> float:
    os.sync()  # dirty pages from the previous run must not throttle this one
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    codes = result.stdout.split()
    if result.returncode != 0 or not codes or any(c not in ("200", "308") for c in codes):
        raise SystemExit(f"transfer failed: {command[:4]}... -> {result.stdout} {result.stderr}")
    return elapsed


CURL = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "-H", "Expect:"]


def sink_run(sink_url: str, path: Path) -> float:
    return timed([*CURL, "-T", str(path), f"{sink_url}/discard"])


class SandboxUploads:
    def __init__(self, url: str) -> None:
        self.url = url
        self.control = SandboxControl(url)

    def _session(self, size: int) -> str:
        self.control.reset()
        project = self.control.create_project("bench", verified=True)
        channel = self.control.channels()[0]
        grant = self.control.grant(project["client_id"], channel["id"])
        answer = httpx.post(
            f"{self.url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
            json={"snippet": {"title": "bench"}, "status": {"privacyStatus": "private"}},
            headers={
                "Authorization": f"Bearer {grant['access_token']}",
                "X-Upload-Content-Type": "video/mp4",
                "X-Upload-Content-Length": str(size),
            },
        )
        answer.raise_for_status()
        return answer.headers["location"]

    def _check(self, size: int) -> None:
        videos = self.control.videos()
        assert len(videos) == 1 and videos[0]["byte_count"] == size, videos

    def single_put(self, path: Path) -> float:
        size = path.stat().st_size
        session = self._session(size)
        elapsed = timed(
            [*CURL, "-T", str(path), "-H", f"Content-Range: bytes 0-{size - 1}/{size}", session]
        )
        self._check(size)
        return elapsed

    def chunked(self, path: Path, chunks: list[Path]) -> float:
        size = path.stat().st_size
        session = self._session(size)
        command = list(CURL)
        offset = 0
        for n, chunk in enumerate(chunks):
            length = chunk.stat().st_size
            if n:
                command += ["--next", *CURL[1:]]
            command += [
                "-T",
                str(chunk),
                "-H",
                f"Content-Range: bytes {offset}-{offset + length - 1}/{size}",
                session,
            ]
            offset += length
        elapsed = timed(command)
        self._check(size)
        return elapsed


def make_file(directory: Path, size_mib: int, chunk_mib: int) -> tuple[Path, list[Path]]:
    path = directory / f"clip-{size_mib}.bin"
    block = os.urandom(MIB)
    chunks = []
    with open(path, "wb") as whole:
        for index in range(0, size_mib, chunk_mib):
            chunk = directory / f"clip-{size_mib}.part{index // chunk_mib:03d}"
            with open(chunk, "wb") as part:
                for _ in range(min(chunk_mib, size_mib - index)):
                    whole.write(block)
                    part.write(block)
            chunks.append(chunk)
    return path, chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="256,1024", help="file sizes in MiB (256,1024)")
    parser.add_argument("--chunk-mib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sink", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink is not None:
        run_sink(args.sink)
        return
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed")
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    rows = []
    sink, sink_url = start([sys.executable, __file__, "--sink", "0"], "sink listening on ")
    try:
        for size_mib in sizes:
            path, chunks = make_file(work, size_mib, args.chunk_mib)
            data_dir = work / f"data-{size_mib}"
            sandbox, url = start(
                [sys.executable, "-m", "sandbox", "--port", "0", "--data", str(data_dir)],
                "sandbox listening on ",
            )
            uploads = SandboxUploads(url)
            runs: dict[str, list[float]] = {"sink": [], "single": [], "chunked": []}
            try:
                for attempt in range(args.repeat + 1):
                    times = {
                        "sink": sink_run(sink_url, path),
                        "single": uploads.single_put(path),
                        "chunked": uploads.chunked(path, chunks),
                    }
                    if attempt:  # the first round only warms caches up
                        for name, elapsed in times.items():
                            runs[name].append(size_mib / elapsed)
                peak = peak_rss_mib(sandbox.pid)
            finally:
                uploads.control.reset()
                stop(sandbox)
            sink_rate = statistics.median(runs["sink"])
            for name, label in (
                ("sink", "sink: curl -T to a discard server"),
                ("single", "sandbox: session + 1 PUT (curl -T)"),
                ("chunked", f"sandbox: session + {len(chunks)} x {args.chunk_mib} MiB PUTs (curl)"),
            ):
                rate = statistics.median(runs[name])
                rows.append(
                    (
                        f"{size_mib} MiB",
                        label,
                        rate,
                        rate / sink_rate,
                        "" if name == "sink" else f"{peak:.0f} MiB",
                        " ".join(f"{r:.0f}" for r in runs[name]),
                    )
                )
            for file in [path, *chunks]:
                file.unlink()
    finally:
        stop(sink)
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"\nSandbox ingest over loopback (median of {args.repeat} runs after a warm-up; "
        f"{os.cpu_count()} CPUs)\n"
    )
    header = f"{'file':>9}  {'path':<44} {'MiB/s':>8} {'vs sink':>8} {'peak RSS':>9}  runs"
    print(header)
    print("-" * len(header))
    for size, label, rate, ratio, peak, each in rows:
        print(f"{size:>9}  {label:<44} {rate:8.0f} {ratio:8.0%} {peak:>9}  {each}")
    print("\npeak RSS = VmHWM of the sandbox process (a fresh process per file size).")


if __name__ == "__main__":
    main()
