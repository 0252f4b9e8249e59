# The demo's transfer task (tools/demo.py, configs/benchmarks/demo_embedded.py): the CPU transfer study's DeepLabV3
# (configs/transfer_study/deeplabv3_pinas-tiny-d8_ade-small-96x96.py: the tiny Pi-NAS backbone, output stride 8,
# small ADE20K-layout data, 96x96 crops, 21 classes) on a shorter schedule that fits the demo's 10 minutes on 2 cores:
# the same warm-up and poly decay (the Runner ends the decay at max_iters), one validation and one checkpoint at the
# end.
_base_ = ['../transfer_study/deeplabv3_pinas-tiny-d8_ade-small-96x96.py']
demo_seg_iters = 300
train_cfg = dict(max_iters=demo_seg_iters, val_interval=demo_seg_iters)
default_hooks = dict(checkpoint=dict(interval=demo_seg_iters))
