# Cosine annealing of the lr to 0 over the whole training, stepped per epoch; 30 epochs.
# The scheduler names neither `end` nor `T_max`: mmengine's Runner sets a missing `end` to train_cfg.max_epochs
# and CosineAnnealingLR anneals over `end - begin`, so `--cfg-options train_cfg.max_epochs=N` alone gives a
# cosine over N epochs.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30)
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True)]
