"""The app's HTTP stack as app/app.py builds it (our routes, the login guard, the REST API,
the shield), with a stand-in where Reflex's own routes answer, for httpx's ASGI transport."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app import api
from app.routes import build_routes
from app.routes.guard import LoginRequired
from app.routes.security import Shield
from core import api_tokens, db
from core.auth import SystemActor
from models import Role


async def reflex_stand_in(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse(f"reflex served {scope['path']}")(scope, receive, send)


def asgi_app() -> ASGIApp:
    routes = build_routes()
    routes.mount("", reflex_stand_in)
    return Shield(api.mount(LoginRequired(routes)))


def token_for(
    email: str, *, role: Role | None = None, group: str = "", name: str = "pipeline"
) -> str:
    """A new API token of an existing user, as `tubefleet token create` makes it."""
    with db.session() as s:
        _, plain = api_tokens.create_token(
            session=s,
            actor=SystemActor("test"),
            owner_email=email,
            name=name,
            role=role,
            group=group,
        )
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
