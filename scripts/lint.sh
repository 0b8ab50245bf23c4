#!/usr/bin/env bash
# The lint step (scripts/test.sh runs it first): ruff's rules, ruff's formatting, mypy
# (types: pyproject's [tool.mypy]) and import-linter (the layers described in README's
# Architecture: pyproject's [tool.importlinter]). Every check runs, so one run shows every
# problem; exits non-zero if any of them failed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv dev || exit 1


failed=()
check() {
  local name="$1"; shift
  say "lint: $name"
  "$@" || failed+=("$name")
}

check "ruff check" ruff check .
check "ruff format --check" ruff format --check .
check "mypy" mypy
check "import-linter" lint-imports --no-cache --no-logo

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint failed: ${failed[*]}" >&2
  exit 1
fi
