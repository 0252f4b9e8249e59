# SPOS baseline on the Pi-NAS ResNeSt-50-D space, ImageNet (supervised, uniform single path, 8 GPUs x 64).
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/imagenet_cls.py',
          './_base_/schedules/linear-warmup-5e_cosine_120e.py']

model = dict(type='SPOS', backbone=dict(space='pinas_resnest50d'), num_classes=1000, label_smoothing=0.1)

optim_wrapper = dict(type='AmpSupernetOptimWrapper',
                     optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=4e-5, nesterov=True))
default_hooks = dict(checkpoint=dict(interval=5))
# The paper's global batch, 8 GPUs x 64; on another count, --auto-scale-lr scales the lr linearly to yours.
auto_scale_lr = dict(enable=False, base_batch_size=512)

# Search, SPOS's protocol (Guo et al. 2020): evolution over 1000 architectures (population 50, 20 generations, the
# 10 best as parents, 25 mutants + 25 crossovers per generation), each scored by its own top-1 on the 50k val images
# after precise-BN recalibration on the 50k train-augmented subset; the 5 best exported.
search = dict(
    strategy=dict(type='evolution', population_size=50, max_generations=20, top_k=10, num_mutation=25,
                  num_crossover=25, mutate_prob=0.1),
    scorer=dict(type='top1', recalib_batches=None, recalibration=dict(protocol='precise')),
    data={{_base_.scoring_data}},
    top_n=5, seed=0)
