# SPOS on the embedded default: supervised single-path uniform sampling over the CPU-sized ResNeSt space.
#   python tools/search.py configs/search/spos_embedded.py
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/embedded_cls.py']

model = dict(type='SPOS', backbone=dict(space='pinas_resnest_tiny'), num_classes={{_base_.num_classes}})

optim_wrapper = dict(type='SupernetOptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                                                  weight_decay=5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, eta_min=0., by_epoch=True)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30)

# Search: evolution, each candidate scored by its own top-1 after precise-BN recalibration of its path (data: the
# dataset base's scoring_data).
search = dict(
    scorer=dict(type='top1', recalib_batches=10),
    data={{_base_.scoring_data}},
    strategy=dict(type='evolution', population_size=10, max_generations=3, top_k=5, num_mutation=5,
                  num_crossover=5, mutate_prob=0.2),
    top_n=3, seed=0)
