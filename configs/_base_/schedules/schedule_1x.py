# The paper's 1x detection schedule: mmdet's 1x (SGD lr 0.02 for a total batch of 16, momentum 0.9, weight decay
# 1e-4, 12 epochs, lr x0.1 after epochs 8 and 11) with the two detectron2 defaults Pi-NAS trained with:
# a 1000-iteration linear warm-up and no weight decay on normalisation layers.
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'
warmup_iters = 1000
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1),
]
optim_wrapper = dict(paramwise_cfg=dict(norm_decay_mult=0.0))
auto_scale_lr = dict(enable=False, base_batch_size=16)
