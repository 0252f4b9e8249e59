# CEPT on the embedded default, step 1 of 4 (the max path alone): the Track-1 ResNet20 channel space with a
# 20-class head on the synthetic dataset. Steps 2-4: cept_embedded_step{2,3,4}.py, each starting from the
# previous step's work dir.
#   python tools/search.py configs/search/cept_embedded.py
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/embedded_cls.py',
          './_base_/search/evolution_embedded.py']

space = dict(base='track1_resnet20', num_classes={{_base_.num_classes}}, name='track1_resnet20_embedded')
model = dict(type='CEPTSupernet', step=1, space=space)
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=True,
                         broadcast_buffers=False)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, eta_min=0., by_epoch=True)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30)

# Search (any step; evolution, see the base): each candidate scored by its own top-1 after precise-BN
# recalibration.
search = dict(scorer=dict(type='top1', recalib_batches=10), data={{_base_.scoring_data}})
