#!/usr/bin/env bash
# Quick start: set everything up (first time) and run TubeFleet on http://localhost:3000.
# Sandbox mode (a local YouTube emulator) unless a Google OAuth client is configured.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv runtime
exec "$VENV/bin/tubefleet" run "$@"
