"""Real Google clients (google-api-python-client, google-auth-oauthlib) pointed at a sandbox."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import google_auth_httplib2
import httpx
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient import discovery_cache
from googleapiclient.discovery import Resource, build_from_document
from googleapiclient.http import build_http

# oauthlib refuses http:// endpoints unless told this is a local, insecure setup.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

YOUTUBE = "https://www.googleapis.com/auth/youtube"
UPLOAD = "https://www.googleapis.com/auth/youtube.upload"
READONLY = "https://www.googleapis.com/auth/youtube.readonly"
FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"
REDIRECT_URI = "http://127.0.0.1:8765/oauth/callback"


def youtube_document(base_url: str) -> dict[str, Any]:
    """The discovery document shipped with the client, with its roots moved to the sandbox.
    build(..., client_options=api_endpoint) is not enough: media uploads would keep https."""
    document = json.loads(discovery_cache.get_static_doc("youtube", "v3"))
    document["rootUrl"] = base_url.rstrip("/") + "/"
    document["mtlsRootUrl"] = base_url.rstrip("/") + "/"
    return document


def youtube_client(
    credentials: Credentials, base_url: str, *, refresh_on_401: bool = True
) -> Resource:
    """build_http() keeps 308 out of httplib2's redirects. refresh_on_401=False makes a 401
    surface as HttpError: AuthorizedHttp's automatic retry would re-send a chunk stream that
    is already consumed (it cannot rewind MediaFileUpload's slice) and hang until timeout."""
    http = authorized_http(credentials, refresh_on_401=refresh_on_401)
    return build_from_document(youtube_document(base_url), http=http)


def authorized_http(
    credentials: Credentials, *, refresh_on_401: bool = True
) -> google_auth_httplib2.AuthorizedHttp:
    codes = (401,) if refresh_on_401 else ()
    return google_auth_httplib2.AuthorizedHttp(
        credentials, http=build_http(), refresh_status_codes=codes
    )


def credentials_from_grant(
    grant: dict[str, Any], project: dict[str, Any], base_url: str
) -> Credentials:
    """Credentials for a grant made through the control API (refresh token only, so the
    first call refreshes like a stored channel would)."""
    return Credentials(
        token=None,
        refresh_token=grant["refresh_token"],
        token_uri=f"{base_url}/token",
        client_id=project["client_id"],
        client_secret=project["client_secret"],
        scopes=grant["scopes"],
    )


def refresh(credentials: Credentials) -> None:
    credentials.refresh(AuthRequest())


def oauth_flow(
    base_url: str, project: dict[str, Any], scopes: list[str], redirect_uri: str = REDIRECT_URI
) -> Flow:
    config = {
        "web": {
            "client_id": project["client_id"],
            "client_secret": project["client_secret"],
            "auth_uri": f"{base_url}/o/oauth2/auth",
            "token_uri": f"{base_url}/token",
            "redirect_uris": [redirect_uri],
        }
    }
    return Flow.from_client_config(config, scopes=scopes, redirect_uri=redirect_uri)


class ConsentForm(HTMLParser):
    """What a browser would see on the consent page: the form, its fields and channels."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.hidden: dict[str, str] = {}
        self.channels: list[tuple[str, str]] = []  # (channel id, label text)
        self.buttons: list[tuple[str, str]] = []  # (value, text)
        self._label: list[str] | None = None
        self._radio: str | None = None
        self._button: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio":
            self._radio = a.get("value")
        elif tag == "label":
            self._label, self._radio = [], None
        elif tag == "button":
            self._button = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label.append(data)
        if self._button is not None:
            self.buttons.append((self._button, data.strip()))
            self._button = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label is not None and self._radio:
            self.channels.append((self._radio, " ".join("".join(self._label).split())))
        if tag == "label":
            self._label = None


def open_consent(auth_url: str) -> tuple[httpx.Response, ConsentForm]:
    page = httpx.get(auth_url, follow_redirects=False)
    form = ConsentForm()
    form.feed(page.text)
    return page, form


def answer_consent(auth_url: str, channel_title: str | None, *, allow: bool = True) -> str:
    """Act as the person: open the page, pick the channel whose label shows the title, press
    Allow (or Cancel). Returns the Location the browser would be sent to."""
    page, form = open_consent(auth_url)
    assert page.status_code == 200, page.text
    data = dict(form.hidden)
    button = "Allow" if allow else "Cancel"
    value = next(v for v, text in form.buttons if text == button)
    data["action"] = value
    if channel_title is not None:
        data["channel_id"] = next(cid for cid, label in form.channels if channel_title in label)
    answer = httpx.post(urljoin(auth_url, form.action), data=data, follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["location"]


def connect_channel(
    base_url: str, project: dict[str, Any], channel_title: str, scopes: list[str]
) -> Credentials:
    """The whole browser flow with PKCE: authorization URL, consent, code exchange."""
    flow = oauth_flow(base_url, project, scopes)
    auth_url, _state = flow.authorization_url(
        access_type="offline", prompt="consent select_account"
    )
    location = answer_consent(auth_url, channel_title)
    flow.fetch_token(authorization_response=location)
    return flow.credentials
