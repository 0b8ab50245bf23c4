"""Builds the Reflex app: pages, HTTP routes, the login guard and the scheduler lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import reflex as rx

from app import api, pages
from app.routes import build_routes
from app.routes.guard import LoginRequired
from app.routes.security import Shield
from app.states.guard import SessionBinding
from core.process import init_process
from jobs import scheduler


@asynccontextmanager
async def run_scheduler() -> AsyncIterator[None]:
    """The backend worker's scheduler lives exactly as long as the backend."""
    scheduler.start("web")
    try:
        yield
    finally:
        scheduler.stop(wait=False)


init_process()
# Our routes first, Reflex mounted beneath them; the login guard wraps that; the REST API
# (its own bearer tokens, no cookies) beside the guard; the shield (allowed origins,
# security headers) wraps everything.
app = rx.App(api_transformer=[build_routes(), LoginRequired, api.mount, Shield])
# Before any handler (hydration included): bind the event to its connection's cookie.
app.add_middleware(SessionBinding(), index=0)
pages.register(app)
app.register_lifespan_task(run_scheduler)
