"""Login page state: turns the /auth/login redirect's query into a message."""

from __future__ import annotations

from datetime import timedelta

import reflex as rx

from app.routes.auth import safe_next
from app.states.session import SessionState, public
from core.auth import say_wait


class LoginState(SessionState):
    error: str = ""
    # Empty until the page has loaded; the login route then reads the page URL instead.
    next_path: str = ""
    email_value: str = ""

    @rx.event
    @public
    def load(self) -> rx.event.EventSpec | None:
        params = self.router.url.query_parameters
        self.next_path = safe_next(params.get("next"))
        self.email_value = params.get("email", "")[:254]
        code = params.get("error", "")
        if code == "invalid":
            self.error = "Wrong email or password."
        elif code == "ratelimited":
            retry = params.get("retry", "")
            seconds = min(int(retry), 86_400) if retry.isdigit() else 900
            wait = say_wait(timedelta(seconds=seconds))
            self.error = f"Too many failed logins. Try again in {wait}."
        else:
            self.error = ""
        if self.current_user() is not None:
            return rx.redirect(self.next_path)
        return None
