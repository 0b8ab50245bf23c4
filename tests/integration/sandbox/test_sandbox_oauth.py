"""OAuth against the sandbox with google-auth-oauthlib and google-auth, as TubeFleet uses them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError

from tests.integration.sandbox.google_clients import (
    READONLY,
    UPLOAD,
    answer_consent,
    connect_channel,
    oauth_flow,
    open_consent,
    refresh,
    youtube_client,
)


def test_consent_page_lists_accounts_channels_scopes_and_buttons(
    sandbox_url, control, project, channel, brand_channel
):
    other = control.create_account("bob@example.com", "Bob")
    bob_channel = control.create_channel(other["email"], "Bob Builds")
    flow = oauth_flow(sandbox_url, project, [UPLOAD, READONLY])
    auth_url, _ = flow.authorization_url(access_type="offline", prompt="consent select_account")

    page, form = open_consent(auth_url)

    assert page.status_code == 200
    assert project["name"] in page.text
    assert "alice@example.com" in page.text and "bob@example.com" in page.text
    assert UPLOAD in page.text and READONLY in page.text
    labels = dict(form.channels)
    assert set(labels) == {channel["id"], brand_channel["id"], bob_channel["id"]}
    assert "Alice Travels" in labels[brand_channel["id"]]
    assert "Brand Account" in labels[brand_channel["id"]]
    assert "Personal channel" in labels[channel["id"]]
    assert [text for _, text in form.buttons] == ["Cancel", "Allow"]


def test_pkce_flow_gives_tokens_for_the_picked_brand_channel(
    sandbox_url, control, project, channel, brand_channel
):
    credentials = connect_channel(sandbox_url, project, "Alice Travels", [UPLOAD, READONLY])

    assert credentials.token and credentials.refresh_token
    assert set(credentials.granted_scopes or credentials.scopes) == {UPLOAD, READONLY}
    mine = (
        youtube_client(credentials, sandbox_url)
        .channels()
        .list(part="snippet", mine=True)
        .execute()
    )
    assert [item["id"] for item in mine["items"]] == [brand_channel["id"]]
    grant = control.grants()[0]
    assert grant["code_challenge_method"] == "S256"
    assert grant["channel_id"] == brand_channel["id"]


def test_refresh_gives_a_new_working_access_token(sandbox_url, project, channel):
    credentials = connect_channel(sandbox_url, project, "Alice Cooks", [UPLOAD, READONLY])
    first = credentials.token

    refresh(credentials)

    assert credentials.token != first
    youtube = youtube_client(credentials, sandbox_url)
    assert (
        youtube.channels().list(part="id", mine=True).execute()["items"][0]["id"] == channel["id"]
    )


def test_refresh_token_only_on_first_consent_or_when_consent_is_forced(
    sandbox_url, project, channel
):
    connect_channel(sandbox_url, project, "Alice Cooks", [UPLOAD])
    flow = oauth_flow(sandbox_url, project, [UPLOAD])
    auth_url, _ = flow.authorization_url(access_type="offline", prompt="select_account")
    flow.fetch_token(authorization_response=answer_consent(auth_url, "Alice Cooks"))
    assert flow.credentials.token and flow.credentials.refresh_token is None

    forced = connect_channel(sandbox_url, project, "Alice Cooks", [UPLOAD])
    assert forced.refresh_token


def test_cancel_redirects_with_access_denied_and_state(sandbox_url, project, channel):
    flow = oauth_flow(sandbox_url, project, [UPLOAD])
    auth_url, state = flow.authorization_url(access_type="offline", prompt="consent")

    location = answer_consent(auth_url, None, allow=False)

    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["access_denied"] and query["state"] == [state]
    assert "code" not in query


def test_unknown_client_gets_an_error_page(sandbox_url, control, channel):
    stranger = {"client_id": "123-unknown.apps.googleusercontent.com", "client_secret": "x"}
    auth_url, _ = oauth_flow(sandbox_url, stranger, [UPLOAD]).authorization_url()

    page = httpx.get(auth_url)

    assert page.status_code == 401
    assert "invalid_client" in page.text


def test_code_is_single_use_and_needs_the_pkce_verifier(sandbox_url, project, channel):
    flow = oauth_flow(sandbox_url, project, [UPLOAD])
    auth_url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    location = answer_consent(auth_url, "Alice Cooks")
    code = parse_qs(urlsplit(location).query)["code"][0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": flow.redirect_uri,
        "client_id": project["client_id"],
        "client_secret": project["client_secret"],
    }

    missing = httpx.post(f"{sandbox_url}/token", data=form)
    wrong = httpx.post(f"{sandbox_url}/token", data={**form, "code_verifier": "x" * 50})
    flow.fetch_token(authorization_response=location)
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(authorization_response=location)

    assert missing.status_code == 400 and missing.json()["error"] == "invalid_grant"
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}


def test_wrong_client_secret_is_invalid_client(sandbox_url, project, channel):
    bad = {**project, "client_secret": "GOCSPX-wrong"}
    flow = oauth_flow(sandbox_url, bad, [UPLOAD])
    auth_url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    location = answer_consent(auth_url, "Alice Cooks")

    with pytest.raises(Exception) as caught:
        flow.fetch_token(authorization_response=location)

    assert "invalid_client" in str(caught.value)


def test_revoke_kills_the_grant(sandbox_url, control, project, channel):
    credentials = connect_channel(sandbox_url, project, "Alice Cooks", [UPLOAD, READONLY])
    youtube = youtube_client(credentials, sandbox_url, refresh_on_401=False)

    answer = httpx.post(f"{sandbox_url}/revoke", params={"token": credentials.refresh_token})

    assert answer.status_code == 200
    with pytest.raises(RefreshError) as caught:
        refresh(credentials)
    assert "invalid_grant" in str(caught.value)
    with pytest.raises(HttpError) as api:
        youtube.channels().list(part="id", mine=True).execute()
    assert api.value.status_code == 401
    assert api.value.error_details[0]["reason"] == "authError"
    assert control.grants()[0]["revoked"] is True


def test_control_api_grant_and_revoke(sandbox_url, control, project, channel):
    grant = control.grant(project["client_id"], channel["id"])
    token = httpx.post(
        f"{sandbox_url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
            "client_id": project["client_id"],
            "client_secret": project["client_secret"],
        },
    )
    assert token.status_code == 200 and token.json()["scope"].split() == grant["scopes"]

    control.revoke_grant(grant["grant_id"])

    again = httpx.post(
        f"{sandbox_url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
            "client_id": project["client_id"],
            "client_secret": project["client_secret"],
        },
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_expired_access_token_is_refused_then_refreshed_automatically(
    sandbox_url, control, project, channel
):
    # Longer than google-auth's early-refresh margin (3 min 45 s), so it is really sent.
    control.update_settings(access_token_lifetime=600)
    credentials = connect_channel(sandbox_url, project, "Alice Cooks", [READONLY])
    first = credentials.token
    control.advance_clock(700)  # the sandbox's clock, so the client still thinks it is valid

    youtube = youtube_client(credentials, sandbox_url)
    answer = youtube.channels().list(part="id", mine=True).execute()

    assert answer["items"][0]["id"] == channel["id"]
    assert credentials.token != first
    reasons = [e["reason"] for e in control.log(method="channels.list")]
    assert reasons == ["authError", None]


def test_the_analytics_scope_can_be_asked_for_and_granted(sandbox_url, control, project, channel):
    analytics = "https://www.googleapis.com/auth/yt-analytics.readonly"
    flow = oauth_flow(sandbox_url, project, [UPLOAD, analytics])
    auth_url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    page, _ = open_consent(auth_url)
    assert page.status_code == 200
    assert analytics in page.text and "View YouTube Analytics reports" in page.text

    credentials = connect_channel(sandbox_url, project, "Alice Cooks", [UPLOAD, analytics])

    assert set(credentials.granted_scopes or credentials.scopes) == {UPLOAD, analytics}
    assert analytics in control.grants()[0]["scopes"]
