# Shared by scripts/run.sh and scripts/test.sh: a virtualenv with the pinned packages.
# Everything comes from the package registries (PyPI, Debian); Node comes from PyPI too.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)'; then
      echo "$candidate"; return 0
    fi
  done
  echo "TubeFleet needs Python 3.11, 3.12 or 3.13 (set PYTHON=/path/to/python)" >&2
  return 1
}

# ensure_venv runtime|dev: create .venv and install the locked packages when they changed.
ensure_venv() {
  local kind="$1" lock="$ROOT/requirements.txt"
  [ "$kind" = dev ] && lock="$ROOT/requirements-dev.txt"
  if [ ! -x "$VENV/bin/python" ]; then
    local py; py="$(find_python)" || return 1
    say "creating a virtualenv in .venv ($("$py" --version))"
    "$py" -m venv "$VENV" || return 1
  fi
  local stamp="$VENV/.installed-$kind"
  local want; want="$(cat "$lock" "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -c1-64)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing pinned packages ($(basename "$lock"))"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip &&
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" &&
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT" ||
      return 1
    echo "$want" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
