#!/usr/bin/env bash
# Headless Chromium for the leaderboard's browser test (tests/pinas/leaderboard/test_leaderboard_browser.py) and for
# `tools/leaderboard.py --screenshot`: Debian's chromium package, driven by Playwright's Python package through
# executable_path (Playwright's own browser download cannot run here). Idempotent: installs only what is missing.
#
#   bash tools/setup_browser.sh                   # as root (apt-get); .venv must exist (tools/setup_env.sh)
#   PINAS_VENV=/path/venv bash tools/setup_browser.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PINAS_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

step() { printf '[setup-browser] %s\n' "$*"; }
die() { printf '[setup-browser] ERROR: %s\n' "$*" >&2; exit 1; }

[ -x "$PY" ] || die "no Python environment at $VENV: run tools/setup_env.sh first"

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  step "chromium already installed"
elif [ "$(id -u)" -eq 0 ]; then
  step "installing Debian's chromium"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || die "apt-get install chromium failed"
else
  die "chromium is missing and installing it needs root: sudo apt-get update && sudo apt-get install -y chromium"
fi

if "$PY" -c 'import playwright.sync_api' >/dev/null 2>&1; then
  step "playwright already installed in $VENV"
else
  spec=$(grep -E '^playwright([<>=!~ ]|$)' "$ROOT/requirements/tests.txt" || echo playwright)
  step "installing $spec into $VENV"
  "$PY" -m pip install --disable-pip-version-check -q "$spec" || die "pip install $spec failed"
fi
