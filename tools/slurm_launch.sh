#!/usr/bin/env bash
# Shared body of tools/slurm_{train,test}.sh: runs a tools/ entry point under srun, one task per GPU.
#
#   bash tools/slurm_launch.sh PARTITION JOB_NAME ENTRY [ENTRY arguments...]     e.g. ... p job test.py CONFIG CKPT
#
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS (extra srun options),
# PYTHON (the project's .venv/bin/python when present, else python).
set -eu
[ $# -ge 3 ] || { echo "usage: bash $0 PARTITION JOB_NAME ENTRY [ENTRY arguments...]" >&2; exit 2; }
PARTITION=$1
JOB_NAME=$2
ENTRY=$3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python; fi
fi
# shellcheck disable=SC2086  # SRUN_ARGS holds several options
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec srun -p "$PARTITION" --job-name="$JOB_NAME" \
  --gres=gpu:"$GPUS_PER_NODE" --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" \
  --cpus-per-task="${CPUS_PER_TASK:-5}" --kill-on-bad-exit=1 ${SRUN_ARGS:-} \
  "$PYTHON" -u "$ROOT/tools/$ENTRY" --launcher=slurm "${@:4}"
