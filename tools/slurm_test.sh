#!/usr/bin/env bash
# Evaluation on a slurm cluster, one task per GPU.
#
#   bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [tools/test.py options...]
#
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS (extra srun options),
# PYTHON (.venv/bin/python, else python).
set -eu
[ $# -ge 4 ] || { echo "usage: bash $0 PARTITION JOB_NAME CONFIG CHECKPOINT [tools/test.py options...]" >&2; exit 2; }
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" test.py "${@:3}"
