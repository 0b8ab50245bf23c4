"""A plain HTML form that the browser posts itself.

Reflex's own form always intercepts submit to send the data over the websocket.
Login and logout must be real HTTP posts, so the server can answer with an
HttpOnly Set-Cookie.
"""

from __future__ import annotations

from reflex.vars.base import Var
from reflex_components_core.el.elements.base import BaseHTML


class NativeForm(BaseHTML):
    """<form action=... method=...> without a Reflex submit handler."""

    tag = "form"

    action: Var[str]
    method: Var[str]


native_form = NativeForm.create
