# Candidates enhancement + progressive training (CVPR 2021 Track-1 winner, arXiv 2108.05866), step 1 of 4:
# the max path alone, CE, SGD lr 0.1 / momentum 0.9 / wd 5e-4, batch 128, cosine, 300 epochs.
# Each later step starts from the previous step's work dir (model.init_from).
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/cifar100_track1.py',
          './_base_/schedules/cosine_300e.py']

# The shared supernet's max path, ReLU after the add; the enhancement's width remap (4 -> 5, 8 -> 9) is set here
# for every step, steps 2-4 switch on PReLU (and branches in steps 3-4).
model = dict(type='CEPT', step=1,
             backbone=dict(type='Track1Supernet', space='track1_resnet20', width_remap={4: 5, 8: 9},
                           post_add_act='relu', mode='shared'))
# CEPT takes its own optimizer steps (several per batch in step 2): DDP must call model.train_step.
model_wrapper_cfg = dict(type='DeviceAwareSeparateDDP', find_unused_parameters=True,
                         broadcast_buffers=False)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
default_hooks = dict(checkpoint=dict(interval=10))
# The winner's batch: 128 on one GPU. On N GPUs the global batch is N x 128; add --auto-scale-lr to scale the lr
# by N (linear rule), or keep one GPU to reproduce the recipe.
auto_scale_lr = dict(enable=False, base_batch_size=128)

# Search (any step): every architecture of the challenge's ground-truth table (download gt_first_1000.json from
# github.com/SpartaG117/CVPR2021-NAS-competition-Track-1-4th-solution to data/track1/), each scored by its top-1
# on the CIFAR-100 test set after the winner's recalibration; the ranked table goes straight into rank_eval:
#   python tools/rank_eval.py work_dirs/cept_step4_resnet20_1xb128-100e_cifar100/search/ranked.json \
#       data/track1/gt_first_1000.json --gt-key acc
search = dict(
    strategy=dict(type='table', path='data/track1/gt_first_1000.json', key='acc'),
    scorer=dict(type='top1', recalib_batches=None, recalibration=dict(protocol='momentum', momentum=0.1)),
    data={{_base_.scoring_data}},
    top_n=5, seed=0)
