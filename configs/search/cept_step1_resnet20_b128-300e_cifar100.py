# Candidates enhancement + progressive training (CVPR 2021 Track-1 winner, ranking.md A4), step 1 of 4:
# the max path alone, CE, SGD lr 0.1 / momentum 0.9 / wd 5e-4, batch 128, cosine, 300 epochs.
# Each later step starts from the previous step's work dir (model.init_from).
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/cifar100_track1.py',
          './_base_/schedules/cosine_300e.py']

# The shared supernet's max path, ReLU after the add; the enhancement's width remap (4 -> 5, 8 -> 9) is set here
# for every step, steps 2-4 switch on PReLU (and branches in steps 3-4).
model = dict(type='CEPTSupernet', step=1,
             backbone=dict(type='Track1Supernet', space='track1_resnet20', width_remap={4: 5, 8: 9},
                           post_add_act='relu', mode='shared'))
# CEPT takes its own optimizer steps (several per batch in step 2): DDP must call model.train_step.
model_wrapper_cfg = dict(type='DeviceAwareSeparateDDP', find_unused_parameters=True,
                         broadcast_buffers=False)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
default_hooks = dict(checkpoint=dict(interval=10))
