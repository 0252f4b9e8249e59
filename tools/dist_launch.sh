#!/usr/bin/env bash
# Shared body of tools/dist_{train,test,search}.sh: runs a tools/ entry point under torchrun with --launcher pytorch,
# through pinas.utils.launch: a failed worker's error: line and status are the report, and a signal stops the workers.
#
#   bash tools/dist_launch.sh NPROC ENTRY [ENTRY arguments...]     e.g. dist_launch.sh 8 train.py CONFIG --amp
#
# NPROC is the number of processes on this node: one per GPU, or CPU processes (gloo) on a host without GPUs.
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29500),
# PYTHON (the project's .venv/bin/python when present, else python).
set -eu
[ $# -ge 2 ] || { echo "usage: bash $0 NPROC ENTRY [ENTRY arguments...]" >&2; exit 2; }
case $1 in
  ''|*[!0-9]*|0) echo "error: the number of processes must be a positive integer, got '$1'" >&2; exit 2 ;;
esac
NPROC=$1
ENTRY=$2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python; fi
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m pinas.utils.launch \
  --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" --master_addr="${MASTER_ADDR:-127.0.0.1}" \
  --nproc_per_node="$NPROC" --master_port="${PORT:-29500}" \
  "$ROOT/tools/$ENTRY" --launcher pytorch "${@:3}"
