#!/usr/bin/env bash
# CPU smoke run of every transfer config family (configs/smoke/*.py: the shipped configs with the tiny Pi-NAS
# backbone, tiny datasets and a few iterations): tools/train.py, then tools/test.py on the last checkpoint.
# Prints each family's metrics at the end.
#
#   bash tools/smoke_transfer.sh [WORK_DIR]        (default: work_dirs/smoke_transfer)
#
# Environment: PYTHON (default: .venv/bin/python when present, else python); SMOKE_CFG_OPTIONS: extra
# --cfg-options for every training run, e.g. an exported backbone:
#   SMOKE_CFG_OPTIONS="model.backbone.arch=exports/311021.json model.backbone.pretrained=exports/311021_mmengine_backbone.pth"
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mkdir -p "${1:-$ROOT/work_dirs/smoke_transfer}" && cd "${1:-$ROOT/work_dirs/smoke_transfer}" && pwd)"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python; fi
fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PINAS_TINY_DATA="$WORK/data"

"$PYTHON" "$ROOT/tools/make_tiny_datasets.py" "$PINAS_TINY_DATA"
summary=()
for config in "$ROOT"/configs/smoke/*.py; do
  name="$(basename "$config" .py)"
  out="$WORK/$name"
  mkdir -p "$out"
  echo "[smoke] $name: training (log: $out/train.log)"
  # shellcheck disable=SC2086  # SMOKE_CFG_OPTIONS is a list of key=value words
  if ! "$PYTHON" "$ROOT/tools/train.py" "$config" --work-dir "$out" \
      ${SMOKE_CFG_OPTIONS:+--cfg-options $SMOKE_CFG_OPTIONS} >"$out/train.log" 2>&1; then
    tail -n 30 "$out/train.log"
    echo "[smoke] $name: training failed" >&2
    exit 1
  fi
  echo "[smoke] $name: testing (log: $out/test.log)"
  if ! "$PYTHON" "$ROOT/tools/test.py" "$config" "$out" --work-dir "$out" \
      >"$out/test.log" 2>&1; then
    tail -n 30 "$out/test.log"
    echo "[smoke] $name: testing failed" >&2
    exit 1
  fi
  summary+=("$name $(grep '^metrics: ' "$out/test.log" | tail -n 1)")
done
echo "== smoke transfer: metrics per family (tiny data, a few iterations: near zero is expected) =="
printf '%s\n' "${summary[@]}"
