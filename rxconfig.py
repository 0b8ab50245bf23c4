"""Reflex configuration, derived from TubeFleet's settings."""

import reflex as rx

from core.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="app",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    frontend_port=_settings.port,
    backend_port=_settings.port,
    # The browser reaches the backend on the page's own host (Reflex swaps localhost for it).
    api_url=f"http://localhost:{_settings.port}",
    deploy_url=_settings.public_url,
    redis_url=_settings.redis_url or None,
    # Socket.IO and HTTP CORS accept only our own origins (Reflex's default is "*": any
    # page could drive a logged-in person's websocket). app/routes/security.py checks too.
    cors_allowed_origins=_settings.origins,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            # Follows the browser's light or dark setting (a switch in the menu overrides it). The
            # accent is calm indigo for links, focus and choices; the brand red marks the
            # primary actions only (app/styles.py BRAND).
            theme=rx.theme(appearance="inherit", accent_color="indigo", radius="medium"),
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
