"""The OAuth connect flow as an attacker or a demoted person meets it (real sandbox,
real Google libraries, real database)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser
from sqlmodel import select

from core import auth, connect, db
from models import Channel, Role, User
from tests.e2e.conftest import RunningApp
from tests.integration.sandbox.google_clients import answer_consent
from tests.integration.world import SandboxWorld
from tests.security.people import logged_in_page, person

PASSWORD = "correct horse battery"


def _operator_token() -> str:
    with db.session() as s:
        auth.create_user(session=s, email="ops@example.com", password=PASSWORD, role=Role.OPERATOR)
    return str(auth.login(email="ops@example.com", password=PASSWORD))


def test_a_person_demoted_meanwhile_cannot_finish_a_connect(world: SandboxWorld) -> None:
    project = world.project()
    world.youtube_channel("Brand Channel", brand=True)
    token = _operator_token()
    url = connect.start(project_id=project.id or 0, user_email="ops@example.com", login_token=token)
    # While they are on Google's consent page, an admin makes them a marketer.
    with db.session() as s:
        user = s.exec(select(User)).one()
        auth.update_user(
            session=s, user_id=user.id or 0, actor="admin@example.com", role=Role.MARKETER
        )
    location = answer_consent(url, "Brand Channel")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    result = connect.finish(
        state=params["state"], code=params.get("code"), error=None, login_token=token
    )
    assert not result.ok
    with db.read_session() as s:
        assert s.exec(select(Channel)).all() == []


def test_the_banner_shows_only_results_of_ones_own_attempts(world: SandboxWorld) -> None:
    """The Channels page shows a connect result kept on the server for the session that
    started it; an address can neither carry a message nor show someone else's result."""
    project = world.project()
    world.youtube_channel("Brand Channel", brand=True)
    token = _operator_token()
    url = connect.start(project_id=project.id or 0, user_email="ops@example.com", login_token=token)
    params = {
        k: v[0] for k, v in parse_qs(urlsplit(answer_consent(url, "Brand Channel")).query).items()
    }
    result = connect.finish(
        state=params["state"], code=params.get("code"), error=None, login_token=token
    )
    assert result.ok and result.attempt_id is not None
    shown = connect.result_for(attempt_id=result.attempt_id, login_token=token)
    assert shown is not None and "Connected Brand Channel" in shown.message
    with db.session() as s:
        auth.create_user(
            session=s, email="other@example.com", password=PASSWORD, role=Role.OPERATOR
        )
    other = auth.login(email="other@example.com", password=PASSWORD)
    assert connect.result_for(attempt_id=result.attempt_id, login_token=other) is None
    assert connect.result_for(attempt_id=result.attempt_id, login_token=None) is None


def test_the_channels_banner_takes_no_text_from_the_address(
    browser: Browser, app_server: RunningApp
) -> None:
    operator = person(app_server, "operator")
    page = logged_in_page(browser, app_server, operator)
    bait = "Security check passed. Re-enter your Google password at evil.example"
    page.goto(f"{app_server.base_url}/channels?connect=ok&message={bait.replace(' ', '%20')}")
    page.get_by_test_id("user-email").wait_for()
    page.wait_for_timeout(1500)
    shown = page.content()
    page.context.close()
    assert "evil.example" not in shown
