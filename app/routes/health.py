"""GET /healthz: database and scheduler status as JSON, no login needed."""

from __future__ import annotations

import time

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.routes.cookies import session_token
from core import auth, db, heartbeat
from core.settings import get_settings
from jobs import scheduler


def _status(detailed: bool) -> dict[str, object]:
    settings = get_settings()
    started = time.perf_counter()
    try:
        with db.read_session() as s:
            s.execute(text("SELECT 1"))
            beats = heartbeat.recent(session=s, interval_seconds=settings.heartbeat_seconds)
        database: dict[str, object] = {
            "ok": True,
            "backend": db.engine().dialect.name,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        }
    except Exception as exc:  # the point of a health check is to report, not to raise
        return {
            "status": "error",
            "database": {"ok": False, "error": type(exc).__name__},
            "scheduler": {"in_process": scheduler.is_running()},
        }
    alive = [b for b in beats if b.alive]
    sched: dict[str, object] = {
        "in_process": scheduler.is_running(),
        "alive_workers": len(alive),
        "last_tick_age_seconds": round(beats[0].age_seconds, 1) if beats else None,
    }
    if detailed:  # worker ids name hosts and process ids: for signed-in people only
        sched["workers"] = [
            {
                "id": b.worker_id,
                "kind": b.kind,
                "alive": b.alive,
                "age_seconds": round(b.age_seconds, 1),
            }
            for b in beats
        ]
    return {"status": "ok" if alive else "degraded", "database": database, "scheduler": sched}


def _signed_in(cookie_header: str) -> bool:
    token = session_token(cookie_header)
    if not token:
        return False
    with db.read_session() as s:
        return auth.user_for_token(session=s, token=token) is not None


async def healthz(request: Request) -> JSONResponse:
    def build() -> dict[str, object]:
        return _status(_signed_in(request.headers.get("cookie", "")))

    body = await run_in_threadpool(build)
    return JSONResponse(body, status_code=503 if body["status"] == "error" else 200)
