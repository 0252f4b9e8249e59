#!/usr/bin/env bash
# The main job on the embedded default (no downloads): generate the synthetic dataset, train a Pi-NAS supernet
# on the CPU-sized ResNeSt space, export an architecture with inherited weights to timm and OpenMMLab, then
# fine-tune the exported backbone on the tiny COCO / ADE20K / Cityscapes datasets.
#   bash tools/demo.sh                  # DEMO_EPOCHS=3 by default; WORK_DIR=work_dirs/demo
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
WORK=${WORK_DIR:-work_dirs/demo}
EPOCHS=${DEMO_EPOCHS:-3}
ARCH=${DEMO_ARCH:-311021}
say() { printf '\n== %s\n' "$*"; }

say "1/4 paper architectures of the Pi-NAS ResNeSt-50-D space (params and FLOPs counted by mmengine.analysis)"
"$PY" tools/arch_info.py 3013231203213032 3333113330011021 1111111111111111

say "2/4 Pi-NAS supernet training on the embedded default ($EPOCHS epochs)"
"$PY" tools/search.py configs/search/pinas_embedded.py --work-dir "$WORK/pinas" \
    --cfg-options train_cfg.max_epochs="$EPOCHS"

say "3/4 export $ARCH with weights inherited from the supernet"
"$PY" tools/export_arch.py "$WORK/pinas" "$ARCH" --space pinas_resnest_tiny --out-dir "$WORK/export"

say "4/4 transfer: the exported backbone on tiny COCO / ADE20K / Cityscapes through tools/train.py and tools/test.py"
bash tools/smoke_transfer.sh "$WORK/transfer" "$WORK/export/$ARCH.json" "$WORK/export/${ARCH}_mmengine_backbone.pth"
