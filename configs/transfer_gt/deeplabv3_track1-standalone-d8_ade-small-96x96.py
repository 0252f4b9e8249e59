# Transfer ground truth, segmentation (issue 23): the transfer study's DeepLabV3 on small ADE20K with a Track-1
# architecture as the stand-alone network it is: the challenge's layout (projection shortcuts only where a stage
# starts or the width changes) in the Track-1 ResNet20 space of the classification ground truth, initialised from
# that architecture's own pretraining run (tools/make_ground_truth.py --keep-checkpoints; the benchmark sets
# model.backbone.init_cfg.checkpoint per architecture and seed, see configs/benchmarks/transfer_gt_track1.py).
_base_ = ['../transfer_study/deeplabv3_pinas-track1-d8_ade-small-96x96.py']
model = dict(backbone=dict(space='track1_resnet20', shortcut='official'))
