"""Upload throughput: TubeFleet's runner vs a bare google-api-python-client loop vs curl.

    python bench/upload_throughput.py [--sizes 256,1024] [--repeat 3] [--chunk-mib 8]

Everything goes over loopback to one sandbox process, in one run, alternating the
three paths so machine noise hits them alike (each upload is deleted before the next,
so the sandbox's disk writes never pile up into writeback throttling):
  * curl:     session start, then `curl -T file` in one PUT (the transport's limit);
  * bare:     googleapiclient MediaFileUpload(resumable, chunk size) and a next_chunk loop;
  * runner:   a `tubefleet worker` process uploads a scheduled job (the product: lease,
              stored session URI, an offset write per chunk, quota reservation); timed
              from the job's start to the insert, so the scheduler tick does not count.
It prints median MiB/s, the ratios of those medians, the median of the per-round ratios
(each round's three uploads ran back to back, so on a shared machine these pair up better
than medians taken column by column), and the worker's peak RSS (VmHWM) per file size.
Targets: runner >= 90 % of the bare loop and >= 70 % of curl -T; memory flat in file size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox_ingest import CURL, MIB, peak_rss_mib, start, stop, timed  # noqa: E402

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def make_video(path: Path, size_mib: int) -> Path:
    block = os.urandom(MIB)
    with path.open("wb") as out:
        out.write(MP4_HEAD + block[len(MP4_HEAD) :])
        for _ in range(size_mib - 1):
            out.write(block)
    return path


def setup(data: Path, sandbox_url: str, chunk_mib: int) -> tuple[dict[str, str], int, dict]:
    """TubeFleet's settings, database, a sandbox project and one connected channel."""
    env = {
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(data / "tubefleet"),
        "TUBEFLEET_SANDBOX_URL": sandbox_url,
        "TUBEFLEET_MODE": "sandbox",
        "TUBEFLEET_UPLOAD_CHUNK_BYTES": str(chunk_mib * MIB),
        "TUBEFLEET_UPLOAD_TICK_SECONDS": "1",
        "TUBEFLEET_UPLOAD_CONCURRENCY": "1",
        "TUBEFLEET_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    from core import channels, db, projects
    from core.process import init_process
    from sandbox.control import SandboxControl

    init_process()
    db.migrate()
    control = SandboxControl(sandbox_url)
    made = control.create_project("bench", verified=True)
    account = control.create_account("bench@example.com", "Bench")
    yt = control.create_channel(account["id"], "Bench Channel")
    grant = control.grant(made["client_id"], yt["id"])
    with db.session() as s:
        project = projects.add_project(
            session=s,
            name="bench",
            client_id=made["client_id"],
            client_secret=made["client_secret"],
            verified=True,
            is_sandbox=True,
            actor="bench",
        )
    channel = channels.import_channel(
        project=project, refresh_token=grant["refresh_token"], actor="bench"
    )
    return env, channel.id or 0, grant


def curl_run(sandbox_url: str, token: str, path: Path) -> float:
    size = path.stat().st_size
    answer = httpx.post(
        f"{sandbox_url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
        json={"snippet": {"title": "curl"}, "status": {"privacyStatus": "private"}},
        headers={
            "Authorization": f"Bearer {token}",
            "X-Upload-Content-Type": "video/mp4",
            "X-Upload-Content-Length": str(size),
        },
    )
    answer.raise_for_status()
    return timed(
        [
            *CURL,
            "-T",
            str(path),
            "-H",
            f"Content-Range: bytes 0-{size - 1}/{size}",
            answer.headers["location"],
        ]
    )


def bare_run(channel_id: int, path: Path, chunk_mib: int) -> float:
    """What a script using google-api-python-client directly would do."""
    from googleapiclient.http import MediaFileUpload

    from core import db
    from core.gateways import ChannelTokens
    from core.projects import endpoints_for
    from models import Channel, Project
    from youtube.client import authorized_http, youtube_service

    with db.read_session() as s:
        channel = s.get(Channel, channel_id)
        project = s.get(Project, channel.project_id)  # type: ignore[union-attr]
    creds = ChannelTokens(channel_id).current()
    service = youtube_service(creds, endpoints_for(project))  # type: ignore[arg-type]
    http = authorized_http(creds)
    os.sync()
    began = time.perf_counter()
    media = MediaFileUpload(
        str(path), mimetype="video/mp4", chunksize=chunk_mib * MIB, resumable=True
    )
    request = service.videos().insert(
        part="snippet,status",
        media_body=media,
        body={"snippet": {"title": "bare"}, "status": {"privacyStatus": "private"}},
    )
    response = None
    while response is None:
        _, response = request.next_chunk(http=http, num_retries=0)
    elapsed = time.perf_counter() - began
    media.stream().close()
    assert response["id"]
    return elapsed


def runner_run(env: dict[str, str], channel_id: int, path: Path) -> tuple[float, float]:
    """A real worker process uploads a scheduled job; returns (seconds, peak RSS MiB)."""
    from sqlmodel import select

    from core import db, uploads
    from core.auth import SystemActor
    from models import TargetKind, UploadEvent, UploadJob

    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(path),
            file_name=path.name,
            title="runner",
            target=TargetKind.CHANNEL,
            channel_id=channel_id,
        ),
        actor=SystemActor("bench"),
    )
    os.sync()
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )
    try:
        while True:
            with db.read_session() as s:
                job = s.get(UploadJob, job_id)
                inserted = s.exec(
                    select(UploadEvent).where(
                        UploadEvent.job_id == job_id, UploadEvent.message.startswith("inserted")
                    )
                ).first()  # type: ignore[attr-defined]
            if inserted is not None and job is not None and job.started_at is not None:
                break
            if worker.poll() is not None:
                raise SystemExit("the worker exited")
            time.sleep(0.05)
        rss = peak_rss_mib(worker.pid)
    finally:
        stop(worker)  # type: ignore[arg-type]
    Path(job.file_path).unlink(missing_ok=True)
    return (inserted.at - job.started_at).total_seconds(), rss


def delete_videos(channel_id: int) -> None:
    """Delete what the last run uploaded: the sandbox drops the stored file, so its dirty
    pages never reach the disk and the next run is not throttled by writeback."""
    from core import db
    from core.gateways import ChannelTokens
    from core.projects import endpoints_for
    from models import Channel, Project
    from sandbox.control import SandboxControl
    from youtube.client import youtube_service

    with db.read_session() as s:
        channel = s.get(Channel, channel_id)
        project = s.get(Project, channel.project_id)  # type: ignore[union-attr]
    service = youtube_service(ChannelTokens(channel_id).current(), endpoints_for(project))  # type: ignore[arg-type]
    with SandboxControl(endpoints_for(project).api_root.rstrip("/")) as control:  # type: ignore[arg-type]
        for video in control.videos():
            service.videos().delete(id=video["id"]).execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="256,1024", help="file sizes in MiB")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-mib", type=int, default=8)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="tubefleet-bench-") as tmp:
        data = Path(tmp)
        sandbox, url = start(
            [
                sys.executable,
                "-m",
                "sandbox",
                "--port",
                "0",
                "--data",
                str(data / "sandbox"),
                "--processing-delay",
                "0",
            ],
            "sandbox listening on ",
        )
        try:
            env, channel_id, grant = setup(data, url, args.chunk_mib)
            rows = []
            for size in sizes:
                path = make_video(data / f"video-{size}.mp4", size)
                results: dict[str, list[float]] = {"curl": [], "bare": [], "runner": []}
                rss: list[float] = []
                for attempt in range(args.repeat + 1):  # the first round warms caches
                    c = curl_run(url, grant["access_token"], path)
                    delete_videos(channel_id)
                    b = bare_run(channel_id, path, args.chunk_mib)
                    delete_videos(channel_id)
                    r, peak = runner_run(env, channel_id, path)
                    delete_videos(channel_id)
                    if attempt:
                        results["curl"].append(c)
                        results["bare"].append(b)
                        results["runner"].append(r)
                        rss.append(peak)
                    print(
                        f"  {size} MiB round {attempt}: curl {size / c:.0f}, bare "
                        f"{size / b:.0f}, runner {size / r:.0f} MiB/s, worker RSS "
                        f"{peak:.0f} MiB",
                        flush=True,
                    )
                rate = {k: size / statistics.median(v) for k, v in results.items()}
                paired = {
                    k: statistics.median(
                        o / r for o, r in zip(results[k], results["runner"], strict=True)
                    )
                    for k in ("bare", "curl")
                }
                rows.append((size, rate, paired, max(rss)))
                path.unlink()
        finally:
            stop(sandbox)
    print(f"\nchunk size {args.chunk_mib} MiB, median of {args.repeat} runs, loopback\n")
    print(
        f"{'file':>8} {'curl -T':>10} {'bare loop':>10} {'runner':>10} "
        f"{'runner/bare':>12} {'runner/curl':>12} {'per round r/b':>14} {'per round r/c':>14} "
        f"{'worker peak RSS':>16}"
    )
    for size, rate, paired, peak in rows:
        print(
            f"{size:>5} MiB {rate['curl']:>7.0f}/s {rate['bare']:>7.0f}/s "
            f"{rate['runner']:>7.0f}/s {rate['runner'] / rate['bare']:>11.0%} "
            f"{rate['runner'] / rate['curl']:>11.0%} {paired['bare']:>13.0%} "
            f"{paired['curl']:>13.0%} {peak:>12.0f} MiB"
        )
    print(
        "\n(MiB/s; targets: runner >= 90% of the bare loop and >= 70% of curl -T, "
        "peak RSS flat in file size)"
    )


if __name__ == "__main__":
    main()
