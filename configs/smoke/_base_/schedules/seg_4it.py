# mmseg's iteration schedule (its 80k and 160k files differ only in what this one overrides) with the segmentation
# runtime, cut to 4 iterations with the same poly decay, an evaluation at the end and a checkpoint halfway.
_base_ = ['mmseg::_base_/schedules/schedule_160k.py', '../../../_base_/seg_runtime.py']
tiny_iters = 4  # a detection smoke run is one epoch of the 8 tiny images: also 4 iterations
train_cfg = dict(max_iters=tiny_iters, val_interval=tiny_iters)
param_scheduler = [dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=tiny_iters, by_epoch=False)]
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=tiny_iters // 2, backend_args=_base_.atomic_checkpoints))
