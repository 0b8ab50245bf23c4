"""Sandbox fixtures on top of tests/integration/conftest.py's sandbox (reset before each test)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.control import SandboxControl


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
