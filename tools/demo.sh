#!/usr/bin/env bash
# The main job on the embedded default (no downloads), what `make demo` runs after setup: paper architectures,
# Pi-NAS supernet training, search + export, a transfer benchmark of the searched backbones on tiny COCO / ADE20K,
# and the leaderboard of what it ran. The stages live in tools/demo.py.
#   bash tools/demo.sh        # DEMO_EPOCHS (default 3), WORK_DIR (default work_dirs/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" tools/demo.py "$@"
