# Pi-NAS learning on ImageNet with the paper's settings (pinas-official.md 2.1-2.4): batch 24 x 8 GPUs = 192,
# queue 49152, tau 0.2, momentum 0.999, SGD lr 0.03 / momentum 0.9 / wd 1e-4 on all parameters, cosine to 0 over
# 100 epochs stepped per epoch, no warm-up, mixed precision, checkpoints every 5 epochs.
#   bash tools/dist_search.sh configs/search/pinas_resnest50d_8xb24-amp-100e_imagenet.py 8
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/imagenet_contrastive.py',
          './_base_/schedules/cosine_100e.py']

model = dict(
    type='PiNAS',
    backbone=dict(space='pinas_resnest50d'),
    neck=dict(hidden_channels=2048, out_channels=128),
    queue_len=49152, temperature=0.2, momentum=0.999,
    cross_path=True, num_paths=2, teacher_update='path', use_queue=True)

optim_wrapper = dict(type='AmpSupernetOptimWrapper',
                     optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=1e-4))
default_hooks = dict(checkpoint=dict(interval=5))
