#!/usr/bin/env bash
# The main job on the embedded default (no downloads), what `make demo` runs after setup: paper architectures,
# Pi-NAS supernet training, search + export, a transfer benchmark of the search's best and worst architectures on
# the small generated ADE20K (two seeds each), the leaderboard of what it ran, and a last screen that says what the
# run showed. The stages live in tools/demo.py, their settings in configs/demo/demo.py.
#   bash tools/demo.sh        # DEMO_EPOCHS (default: the demo config's 3), WORK_DIR (default work_dirs/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" tools/demo.py "$@"
