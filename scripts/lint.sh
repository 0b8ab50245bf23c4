#!/usr/bin/env bash
# The lint step (scripts/test.sh runs it first): ruff's rules, ruff's formatting, mypy
# (types: pyproject's [tool.mypy]) and import-linter (the layers described in README's
# Architecture: pyproject's [tool.importlinter]). Every check runs, so one run shows every
# problem; exits non-zero if any of them failed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv dev || exit 1

# Formatting is checked only on the files that are formatted already. The code base gets
# one `ruff format` after the issue-10 branches are merged (doing it on a branch would
# collide with the others); the lead then replaces this list with `.`.
FORMATTED=(
  app/__init__.py app/app.py app/cli/__init__.py app/cli/__main__.py app/cli/output.py
  app/components/__init__.py app/components/native_form.py app/components/poller.py
  app/pages/__init__.py app/routes/cookies.py app/states/__init__.py app/states/login.py
  app/styles.py
  core/__init__.py core/clock.py core/errors.py
  jobs/__init__.py jobs/housekeeping.py jobs/rotation.py jobs/tokens.py jobs/uploads.py
  models/__init__.py models/alert.py models/audit.py models/channel.py models/db.py
  models/migrations/env.py models/project.py models/quota.py models/system.py
  models/types.py models/user.py
  rxconfig.py
  sandbox/__init__.py sandbox/api_call.py sandbox/blobs.py sandbox/categories.py
  sandbox/clock.py sandbox/connection.py sandbox/directory.py sandbox/faults.py
  sandbox/grants.py sandbox/ids.py sandbox/private_files.py sandbox/quota.py
  sandbox/ranges.py sandbox/requestlog.py sandbox/state.py sandbox/validation.py
  tests/__init__.py tests/conftest.py tests/e2e/__init__.py tests/integration/__init__.py
  tests/integration/sandbox/__init__.py tests/integration/sandbox/conftest.py
  tests/integration/test_migrations.py tests/integration/test_scheduler.py
  tests/security/__init__.py tests/security/conftest.py tests/unit/__init__.py
  tests/unit/sandbox/__init__.py tests/unit/sandbox/test_loopback_control.py
  tests/unit/sandbox/test_sandbox_quota_day.py tests/unit/test_auth_rules.py
  tests/unit/test_clock.py
  youtube/__init__.py youtube/costs.py
)

failed=()
check() {
  local name="$1"; shift
  say "lint: $name"
  "$@" || failed+=("$name")
}

check "ruff check" ruff check .
check "ruff format --check" ruff format --check "${FORMATTED[@]}"
check "mypy" mypy
check "import-linter" lint-imports --no-cache --no-logo

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint failed: ${failed[*]}" >&2
  exit 1
fi
