#!/usr/bin/env bash
# Training on a slurm cluster, one task per GPU.
#
#   bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [tools/train.py options...]
#
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS (extra srun options),
# PYTHON (.venv/bin/python, else python).
set -eu
[ $# -ge 4 ] || { echo "usage: bash $0 PARTITION JOB_NAME CONFIG WORK_DIR [tools/train.py options...]" >&2; exit 2; }
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" train.py "$3" --work-dir="$4" "${@:5}"
