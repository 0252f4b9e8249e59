#!/usr/bin/env bash
# The main job on the embedded default (no downloads): generate the synthetic dataset, train a Pi-NAS supernet on
# the CPU-sized ResNeSt space, search it (precise-BN + kNN scores, evolution), export the best architectures with
# inherited weights to timm and OpenMMLab, then fine-tune the best one on tiny COCO / ADE20K / Cityscapes datasets
# through tools/train.py and tools/test.py.
#   bash tools/demo.sh        # DEMO_EPOCHS (default 3), WORK_DIR (default work_dirs/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
WORK=${WORK_DIR:-work_dirs/demo}
EPOCHS=${DEMO_EPOCHS:-3}
say() { printf '\n== %s\n' "$*"; }

say "1/3 paper architectures of the Pi-NAS ResNeSt-50-D space (params and FLOPs counted by mmengine.analysis)"
"$PY" tools/arch_info.py 3013231203213032 3333113330011021 1111111111111111

say "2/3 Pi-NAS on the embedded default: train ($EPOCHS epochs), search, export"
"$PY" tools/search.py configs/search/pinas_embedded.py --work-dir "$WORK/pinas" \
    --cfg-options train_cfg.max_epochs="$EPOCHS"  # the config's cosine schedule follows max_epochs
BEST=$("$PY" -c "import json, sys; print(json.load(open(sys.argv[1]))[0]['arch'])" "$WORK/pinas/search/ranked.json")
EXPORT="$WORK/pinas/search/export"
echo "best architecture: $BEST (ranked table: $WORK/pinas/search/ranked.csv)"

say "3/3 transfer: $BEST with its inherited weights on tiny COCO / ADE20K / Cityscapes"
SMOKE_CFG_OPTIONS="model.backbone.arch=$EXPORT/$BEST.json model.backbone.pretrained=$EXPORT/${BEST}_mmengine_backbone.pth" \
    bash tools/smoke_transfer.sh "$WORK/transfer"
