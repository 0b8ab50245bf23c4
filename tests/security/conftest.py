"""Attacker's-eye tests: each one plays an attack from the security review as the
attacker's own client would (raw socket.io, foreign-origin pages in Chromium, plain HTTP).

They run as their own pytest process (scripts/test.sh): they need both the integration
world (real database, real sandbox) and a live app served by the README's run command.
"""

from __future__ import annotations

# Fixtures shared with the other suites (a separate pytest process, so nothing runs twice).
from tests.e2e.conftest import (  # noqa: F401
    app_server,
    browser,
    page,
    pytest_runtest_makereport,
)
from tests.integration.conftest import (  # noqa: F401
    any_database,
    control,
    data_dir,
    database,
    postgres_database,
    sandbox_url,
    session,
    sqlite_database,
    upload_world,
    world,
)
