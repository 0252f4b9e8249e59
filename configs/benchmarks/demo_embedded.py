# The demo's transfer benchmark (tools/demo.py): the best two and the worst architecture of the embedded Pi-NAS
# search, with their inherited weights (exported, or sliced from the supernet), fine-tuned on tiny COCO and ADE20K.
#   python tools/benchmark.py configs/benchmarks/demo_embedded.py --cfg-options search_dir=WORK_DIR_OF_THE_SEARCH
_base_ = ['./_base_/tasks.py']
search_dir = 'work_dirs/demo/pinas'  # a tools/search.py work dir of configs/search/pinas_embedded.py
entries = [dict(top=2), dict(bottom=1)]
tasks = [_base_.smoke_retinanet, _base_.smoke_ade_deeplabv3]
seeds = [0]
