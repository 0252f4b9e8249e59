#!/usr/bin/env bash
# Supernet training and search under torchrun.
#
#   bash tools/dist_search.sh CONFIG GPUS [tools/search.py options...]
#
# On a host without GPUs, GPUS processes train with the gloo backend.
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29510), PYTHON (.venv/bin/python, else python).
set -eu
[ $# -ge 2 ] || { echo "usage: bash $0 CONFIG GPUS [tools/search.py options...]" >&2; exit 2; }
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-$( [ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python)}
PORT=${PORT:-29510} PYTHON=$PYTHON exec bash "$ROOT/tools/dist_launch.sh" "$2" search.py "$1" "${@:3}"
