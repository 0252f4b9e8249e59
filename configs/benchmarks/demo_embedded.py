# The demo's transfer benchmark (tools/demo.py, configs/demo/demo.py): the best and the worst architecture of the
# embedded Pi-NAS search, each with its inherited weights (exported, or sliced from the supernet), fine-tuned with
# DeepLabV3 on the small generated ADE20K under two seeds, so that every number has a seed spread beside it. Two
# architectures allow a comparison of the search's extremes, not a rank correlation (the leaderboard states one
# from 5 architectures on). Segmentation is the task a CPU trains past chance in a demo's minutes; detection on
# small COCO stays near 0 box AP for far longer (configs/benchmarks/transfer_study_resnest.py runs both).
#   python tools/make_tiny_datasets.py --size small
#   python tools/benchmark.py configs/benchmarks/demo_embedded.py --cfg-options search_dir=WORK_DIR_OF_THE_SEARCH
_base_ = ['./_base_/tasks.py']
search_dir = 'work_dirs/demo/pinas'  # a tools/search.py work dir of configs/search/pinas_embedded.py
entries = [dict(top=1), dict(bottom=1)]
demo_ade_deeplabv3 = dict(name='deeplabv3_ade-small',
                          config='configs/demo/deeplabv3_pinas-tiny-d8_ade-small-96x96_demo.py')
tasks = [demo_ade_deeplabv3]
seeds = [0, 1]
