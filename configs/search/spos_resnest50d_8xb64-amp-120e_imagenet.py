# SPOS baseline on the Pi-NAS ResNeSt-50-D space, ImageNet (supervised, uniform single path, 8 GPUs x 64).
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/imagenet_cls.py',
          './_base_/schedules/linear-warmup-5e_cosine_120e.py']

model = dict(type='SPOS', backbone=dict(space='pinas_resnest50d'), num_classes=1000, label_smoothing=0.1)

optim_wrapper = dict(type='AmpSupernetOptimWrapper',
                     optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=4e-5, nesterov=True))
default_hooks = dict(checkpoint=dict(interval=5))
