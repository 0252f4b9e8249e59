# SPOS on the Track-1 ResNet20 channel space (embedded default): the baseline CEPT is measured against in
# tools/ranking_study.py. The SPOS algorithm over the plain Track-1 supernet (the class CEPT trains,
# without its enhancement: no width remap, ReLU after the add, shared weights, no branches): one uniform path per
# batch with cross-entropy, no max path, no distillation, no max-recover.
#   python tools/search.py configs/search/spos_track1_embedded.py
_base_ = ['./spos_embedded.py']

space = dict(base='track1_resnet20', num_classes={{_base_.num_classes}}, name='track1_resnet20_embedded')
model = dict(type='SPOS', num_classes={{_base_.num_classes}},
             backbone=dict(_delete_=True, type='Track1Supernet', space=space, width_remap={}, post_add_act='relu'))
# Every weight tensor of the shared Track-1 supernet is on every path (sliced, not chosen): a plain optimizer
# wrapper, as CEPT's.
optim_wrapper = dict(type='OptimWrapper')
