#!/usr/bin/env bash
# Multi-process training on one or more nodes with torchrun.
#
#   bash tools/dist_train.sh CONFIG GPUS [tools/train.py options...]
#
# GPUS is the number of processes on this node: one per GPU, or CPU processes (gloo) on a host without GPUs.
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29500), PYTHON (.venv/bin/python, else python).
set -eu
[ $# -ge 2 ] || { echo "usage: bash $0 CONFIG GPUS [tools/train.py options...]" >&2; exit 2; }
exec bash "$(dirname "$0")/dist_launch.sh" "$2" train.py "$1" "${@:3}"
