# CEPT on the embedded default, step 1 of 4 (the max path alone): the Track-1 ResNet20 channel space with a
# 20-class head on the synthetic dataset. Steps 2-4: cept_embedded_step{2,3,4}.py, each starting from the
# previous step's work dir.
#   python tools/search.py configs/search/cept_embedded.py
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/embedded_cls.py',
          './_base_/search/evolution_embedded.py', './_base_/schedules/cosine_30e.py']

space = dict(base='track1_resnet20', num_classes={{_base_.num_classes}}, name='track1_resnet20_embedded')
# Step 1 trains the max path of the shared supernet with ReLU after the add (the winner's step 1). The width remap
# of the candidates enhancement (choices 4 and 8 run as 5 and 9 channels) is set here for all steps, so a path runs
# the same widths in every step and every step's search; steps 2-4 set post_add_act, mode and their options.
model = dict(type='CEPT', step=1,
             backbone=dict(type='Track1Supernet', space=space, width_remap={4: 5, 8: 9}, post_add_act='relu',
                           mode='shared'))
model_wrapper_cfg = dict(type='DeviceAwareSeparateDDP', find_unused_parameters=True,
                         broadcast_buffers=False)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))

# Search (any step; evolution, see the base): each candidate scored by its own top-1 after precise-BN
# recalibration.
search = dict(scorer=dict(type='top1', recalib_batches=10), data={{_base_.scoring_data}})
