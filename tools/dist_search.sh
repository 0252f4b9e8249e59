#!/usr/bin/env bash
# Supernet training and search under torchrun.
#
#   bash tools/dist_search.sh CONFIG GPUS [tools/search.py options...]
#
# On a host without GPUs, GPUS processes train with the gloo backend.
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29510), PYTHON (.venv/bin/python, else python).
set -eu
[ $# -ge 2 ] || { echo "usage: bash $0 CONFIG GPUS [tools/search.py options...]" >&2; exit 2; }
PORT=${PORT:-29510} exec bash "$(dirname "$0")/dist_launch.sh" "$2" search.py "$1" "${@:3}"
