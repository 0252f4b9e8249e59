# Transfer study, ResNeSt space (issue 12 item 5; README "Transfer study"): the eight architectures of
# configs/transfer_study/search/_base_.py (the embedded Pi-NAS search's best two and worst two, and the four uniform
# ones), each with weights sliced from the Pi-NAS supernet and its Pi-NAS score and rank from the table search,
# fine-tuned on small COCO (Faster R-CNN) and small ADE20K (DeepLabV3), two seeds each (the seed ceiling).
#   python tools/make_tiny_datasets.py --size small
#   (the searches in configs/transfer_study/search/pinas_resnest.py and spos_resnest.py)
#   python tools/benchmark.py configs/benchmarks/transfer_study_resnest.py [--shard K/N]
#   python tools/leaderboard.py results/leaderboard/paper work_dirs/transfer_study/resnest --out DIR \
#       --scores spos:top1=work_dirs/transfer_study/spos/search_study/ranked.json
_base_ = ['./_base_/tasks.py']
search_dir = 'work_dirs/transfer_study/pinas/search_study'
entries = [dict(top=8)]  # every study architecture: the table search ranks all eight
tasks = [_base_.study_faster_rcnn, _base_.study_ade_deeplabv3]
seeds = [0, 1]
work_dir = 'work_dirs/transfer_study/resnest'
