# ADE20K as both ADE20K transfer configs train it (the paper's setting): mmseg's ADE20K data (150 classes, 512x512
# crops), 160k iterations of mmseg's schedule (SGD lr 0.01, poly decay) and the segmentation runtime.
_base_ = ['mmseg::_base_/datasets/ade20k.py', 'mmseg::_base_/schedules/schedule_160k.py', './seg_runtime.py']
default_hooks = dict(checkpoint=dict(backend_args=_base_.atomic_checkpoints))  # see _base_/default_runtime.py
