# Pi-NAS learning on ImageNet with the paper's settings (Ernie1/Pi-NAS pinas_learning.py): batch 24 x 8 GPUs = 192,
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
# The paper's global batch, 8 GPUs x 24; on another count, --auto-scale-lr scales the lr linearly to yours.
auto_scale_lr = dict(enable=False, base_batch_size=192)

# Search, the official protocol (Ernie1/Pi-NAS search): one linear head trained on the frozen supernet for 100
# epochs (SGD lr 30, x0.1 at epochs 60 and 80, 32 images per GPU, a new uniform path per iteration, BN in train
# mode), then every candidate scored by that head's top-1 on the 50k val images after precise-BN recalibration of
# its path on the 50k train-augmented subset (all of it, split over the GPUs); learned-partition search over 1000
# architectures; the 5 best exported as backbones.
search = dict(
    strategy=dict(type='lanas', max_samples=1000, initial_sample=80, selects=8),
    scorer=dict(type='linear_probe', recalib_batches=None, recalibration=dict(protocol='precise'),
                head=dict(num_classes=1000, epochs=100, lr=30.0, milestones=(60, 80), batch_size=32)),
    data={{_base_.scoring_data}},
    top_n=5, seed=0)
