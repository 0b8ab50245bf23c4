"""HTTP routes beside Reflex's websocket: login/logout, health, OAuth callback."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from app.routes import auth, health, oauth_callback


def build_routes() -> Starlette:
    """The Starlette app Reflex mounts its own backend under (see app.app)."""
    return Starlette(
        routes=[
            Route("/healthz", health.healthz, methods=["GET"]),
            Route("/auth/login", auth.login, methods=["POST"]),
            Route("/auth/logout", auth.logout, methods=["POST"]),
            Route("/oauth/callback", oauth_callback.oauth_callback, methods=["GET"]),
        ]
    )
