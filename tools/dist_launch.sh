#!/usr/bin/env bash
# Shared body of tools/dist_{train,test,search}.sh: runs a tools/ entry point under torchrun with --launcher pytorch.
#
#   bash tools/dist_launch.sh NPROC ENTRY [ENTRY arguments...]     e.g. dist_launch.sh 8 train.py CONFIG --amp
#
# NPROC is the number of processes on this node: one per GPU, or CPU processes (gloo) on a host without GPUs.
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29500), PYTHON (python).
set -eu
NPROC=$1
ENTRY=$2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "${PYTHON:-python}" -m torch.distributed.run \
  --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" --master_addr="${MASTER_ADDR:-127.0.0.1}" \
  --nproc_per_node="$NPROC" --master_port="${PORT:-29500}" \
  "$ROOT/tools/$ENTRY" --launcher pytorch "${@:3}"
