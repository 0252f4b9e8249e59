# Transfer study, Track-1 space: Pi-NAS on the same plain supernet at the SPOS supernet's compute (kNN score of
# each path), table-searched over the study's architectures.
#   python tools/search.py configs/transfer_study/search/pinas_track1.py \
#       --work-dir work_dirs/transfer_study/pinas_track1
_base_ = ['../../search/pinas_track1_embedded.py', './_base_.py']
train_cfg = dict(max_epochs={{_base_.track1_pinas_epochs}})
search = _base_.track1_table_search
