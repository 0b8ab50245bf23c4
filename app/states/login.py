"""Login page state: turns the /auth/login redirect's query into a message."""

from __future__ import annotations

import reflex as rx

from app.routes.auth import safe_next
from app.states.session import SessionState


class LoginState(SessionState):
    error: str = ""
    # Empty until the page has loaded; the login route then reads the page URL instead.
    next_path: str = ""
    email_value: str = ""

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        params = self.router.url.query_parameters
        self.next_path = safe_next(params.get("next"))
        self.email_value = params.get("email", "")[:254]
        code = params.get("error", "")
        if code == "invalid":
            self.error = "Wrong email or password."
        elif code == "ratelimited":
            minutes = params.get("retry", "15")
            minutes = minutes if minutes.isdigit() else "15"
            self.error = f"Too many failed logins. Try again in {minutes} minutes."
        else:
            self.error = ""
        if self.current_user() is not None:
            return rx.redirect(self.next_path)
        return None
