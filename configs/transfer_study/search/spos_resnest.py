# Transfer study, ResNeSt space: a SPOS supernet at the Pi-NAS supernet's compute (the "ImageNet proxy": supervised
# top-1 of each path), table-searched over the study's architectures.
#   python tools/search.py configs/transfer_study/search/spos_resnest.py --work-dir work_dirs/transfer_study/spos
_base_ = ['../../search/spos_embedded.py', './_base_.py']
train_cfg = dict(max_epochs={{_base_.resnest_spos_epochs}})
search = _base_.resnest_table_search
