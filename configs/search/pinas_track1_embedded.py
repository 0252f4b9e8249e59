# Pi-NAS on the Track-1 ResNet20 channel space (embedded default): the unsupervised method on the space whose
# ground truth has signal, beside SPOS (spos_track1_embedded.py) and CEPT (cept_embedded*.py) in
# tools/ranking_study.py. The supernet is the plain one SPOS trains (no width remap, ReLU after the
# add); the two paths of a step differ at every position (every position has at least 4 widths).
#   python tools/search.py configs/search/pinas_track1_embedded.py
_base_ = ['./pinas_embedded.py']

space = dict(base='track1_resnet20', num_classes={{_base_.num_classes}}, name='track1_resnet20_embedded')
model = dict(backbone=dict(_delete_=True, type='Track1Supernet', space=space, width_remap={}, post_add_act='relu'))
