# The shipped detection recipe (SyncBN, 1x schedule, runtime) cut to one epoch of the 8 tiny training images
# (4 iterations) with an evaluation after it, logging every iteration.
_base_ = '../../../_base_/det_syncbn_1x.py'
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1))
