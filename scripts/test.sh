#!/usr/bin/env bash
# Quick start: set everything up and run every test (lint, unit, integration, browser,
# security).
# Each suite is its own pytest run (Playwright's sync API and asyncio tests don't mix).
# Exits non-zero if anything fails. Extra arguments go to every pytest run.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv dev || exit 1

ensure_chromium() {
  local browser="${TUBEFLEET_CHROMIUM:-/usr/bin/chromium}"
  if [ -x "$browser" ]; then export TUBEFLEET_CHROMIUM="$browser"; return 0; fi
  say "installing Chromium from Debian packages (for the browser tests)"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "Chromium is missing and installing it needs root: apt-get install chromium" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null &&
    export TUBEFLEET_CHROMIUM=/usr/bin/chromium
}

results=()
status=0
step() {
  local name="$1"; shift
  say "$name"
  local started=$SECONDS
  if "$@"; then results+=("ok     $name ($((SECONDS - started)) s)")
  else results+=("FAILED $name ($((SECONDS - started)) s)"); status=1; fi
}

step "lint (ruff, mypy, import-linter)" "$ROOT/scripts/lint.sh"
step "unit tests" python -m pytest tests/unit -q "$@"

# The integration suite (databases and the sandbox, no browser) runs beside the browser
# and security suites, which take turns with the one built frontend; its output is shown
# when it ends. This keeps the whole run near 15 minutes instead of 20.
integration_log="$(mktemp)"
integration_started=$SECONDS
python -m pytest tests/integration -q "$@" >"$integration_log" 2>&1 &
integration_pid=$!

if ensure_chromium; then
  step "browser tests (headless Chromium)" python -m pytest tests/e2e -q "$@"
  # The security review's attacks, each as the attacker's own client (raw socket.io,
  # foreign-origin pages in Chromium, plain HTTP) against a served app and the sandbox.
  step "security tests (attacks)" python -m pytest tests/security -q "$@"
else
  results+=("FAILED browser tests (no Chromium)"); status=1
fi

say "integration tests (ran alongside)"
if wait "$integration_pid"; then
  results+=("ok     integration tests ($((SECONDS - integration_started)) s, alongside)")
else
  results+=("FAILED integration tests ($((SECONDS - integration_started)) s, alongside)"); status=1
fi
cat "$integration_log"
rm -f "$integration_log"

say "summary"
printf '  %s\n' "${results[@]}"
exit $status
