"""Sandbox fixtures: one sandbox process for the module run, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.control import SandboxControl
from sandbox.testing import running_sandbox


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    with running_sandbox(processing_delay=2.0) as url:
        yield url


@pytest.fixture
def control(sandbox_url: str) -> Iterator[SandboxControl]:
    with SandboxControl(sandbox_url) as client:
        client.reset(seed=False)
        client.update_settings(access_token_lifetime=3600, processing_delay=2.0)
        yield client


@pytest.fixture
def project(control: SandboxControl) -> dict[str, Any]:
    return control.create_project("TubeFleet tests", verified=True)


@pytest.fixture
def account(control: SandboxControl) -> dict[str, Any]:
    return control.create_account("alice@example.com", "Alice Example")


@pytest.fixture
def channel(control: SandboxControl, account: dict[str, Any]) -> dict[str, Any]:
    return control.create_channel(account["email"], "Alice Cooks")


@pytest.fixture
def brand_channel(control: SandboxControl, account: dict[str, Any]) -> dict[str, Any]:
    return control.create_channel(account["email"], "Alice Travels", brand=True)
