# Transfer study, Track-1 space (issue 12 item 5): the eight plain ResNet20-width networks of
# configs/transfer_study/search/_base_.py (the SPOS evolution search's best two and worst two, and four that take
# the same quarter of every stage's widths: costs differ up to 16x) as PiNASTrack1ResNet backbones with weights
# sliced from the SPOS supernet and its SPOS score and rank, fine-tuned on small COCO and small ADE20K, two seeds.
#   python tools/benchmark.py configs/benchmarks/transfer_study_track1.py [--shard K/N]
#   python tools/leaderboard.py results/leaderboard/paper work_dirs/transfer_study/track1 --out DIR \
#       --scores pinas:knn=work_dirs/transfer_study/pinas_track1/search_study/ranked.json
_base_ = ['./_base_/tasks.py']
search_dir = 'work_dirs/transfer_study/spos_track1_10e/search_study'
entries = [dict(top=8)]
tasks = [_base_.study_track1_faster_rcnn, _base_.study_track1_ade_deeplabv3]
seeds = [0, 1]
work_dir = 'work_dirs/transfer_study/track1'
