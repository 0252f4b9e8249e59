# SPOS on ImageNet: a linear warm-up from 1% of the lr over the first 5 epochs (stepped per iteration), then cosine
# annealing to 0 from epoch 5 to the end of training, stepped per epoch; 120 epochs.
# The cosine names neither `end` nor `T_max`: mmengine's Runner ends it at train_cfg.max_epochs and it anneals
# over `end - begin`, so `--cfg-options train_cfg.max_epochs=N` alone gives the warm-up then a cosine to epoch N.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=120)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=5),
]
