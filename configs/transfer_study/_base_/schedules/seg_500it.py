# mmseg's iteration schedule with the segmentation runtime, at a budget that fits a few CPU minutes: 500 iterations
# of SGD at lr 0.05 with a linear warm-up then poly decay (mmseg's), one evaluation and one checkpoint at the end.
_base_ = ['mmseg::_base_/schedules/schedule_160k.py', '../../../_base_/seg_runtime.py']
study_seg_iters = 500
study_seg_lr = 0.05
study_seg_warmup = 30  # iterations of linear warm-up
train_cfg = dict(max_iters=study_seg_iters, val_interval=study_seg_iters)
optim_wrapper = dict(optimizer=dict(lr=study_seg_lr))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=study_seg_warmup),
    # no `end`: the Runner sets it to max_iters, so --cfg-options train_cfg.max_iters=N keeps the shape
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=study_seg_warmup, by_epoch=False)]
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(interval=study_seg_iters, backend_args=_base_.atomic_checkpoints))
