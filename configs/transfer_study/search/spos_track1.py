# Transfer study, Track-1 space: the SPOS supernet over the plain Track-1 ResNet20 widths (10 epochs), whose
# weights the study's Track-1 backbones inherit, table-searched over the study's architectures. Its evolution
# search (best and worst in ./_base_.py) comes first:
#   python tools/search.py configs/search/spos_track1_embedded.py --work-dir work_dirs/transfer_study/spos_track1_10e \
#       --cfg-options train_cfg.max_epochs=10
#   python tools/search.py configs/transfer_study/search/spos_track1.py \
#       --work-dir work_dirs/transfer_study/spos_track1_10e
_base_ = ['../../search/spos_track1_embedded.py', './_base_.py']
train_cfg = dict(max_epochs={{_base_.track1_spos_epochs}})
search = _base_.track1_table_search
