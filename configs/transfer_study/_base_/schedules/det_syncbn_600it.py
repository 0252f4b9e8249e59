# The shipped detection recipe (SyncBN, runtime) with an iteration budget that fits a few CPU minutes: 600
# iterations of SGD at lr 0.02 with a linear warm-up then cosine decay, one evaluation and one checkpoint at the end.
_base_ = '../../../_base_/det_syncbn_1x.py'
study_det_iters = 600
study_det_lr = 0.02
study_det_warmup = 50  # iterations of linear warm-up
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=study_det_iters, val_interval=study_det_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=study_det_warmup),
    # no `end`: the Runner sets it to max_iters, so --cfg-options train_cfg.max_iters=N keeps the shape
    dict(type='CosineAnnealingLR', by_epoch=False, begin=study_det_warmup, eta_min=0.0)]
optim_wrapper = dict(optimizer=dict(lr=study_det_lr))
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(by_epoch=False, interval=study_det_iters))
log_processor = dict(by_epoch=False)
