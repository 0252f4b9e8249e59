#!/usr/bin/env bash
# Multi-process evaluation with torchrun.
#
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [tools/test.py options...]
#
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29500), PYTHON (.venv/bin/python, else python).
set -eu
[ $# -ge 3 ] || { echo "usage: bash $0 CONFIG CHECKPOINT GPUS [tools/test.py options...]" >&2; exit 2; }
exec bash "$(dirname "$0")/dist_launch.sh" "$3" test.py "$1" "$2" "${@:4}"
