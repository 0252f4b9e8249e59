# Candidates enhancement + progressive training (CVPR 2021 Track-1 winner, ranking.md A4), step 1 of 4:
# the max path alone, CE, SGD lr 0.1 / momentum 0.9 / wd 5e-4, batch 128, cosine, 300 epochs.
# Each later step starts from the previous step's work dir (model.init_from).
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/cifar100_track1.py']

model = dict(type='CEPTSupernet', step=1, space='track1_resnet20')
# CEPT takes its own optimizer steps (several per batch in step 2): DDP must call model.train_step.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=True,
                         broadcast_buffers=False)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=300, eta_min=0., by_epoch=True)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300)
default_hooks = dict(checkpoint=dict(interval=10))
