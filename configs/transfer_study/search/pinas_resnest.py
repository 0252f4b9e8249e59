# Transfer study, ResNeSt space: the embedded Pi-NAS supernet (the demo's, 3 epochs), table-searched over the
# study's architectures. Run its evolution search first (it picks the best and worst in ./_base_.py):
#   python tools/search.py configs/search/pinas_embedded.py --work-dir work_dirs/transfer_study/pinas \
#       --cfg-options train_cfg.max_epochs=3
#   python tools/search.py configs/transfer_study/search/pinas_resnest.py --work-dir work_dirs/transfer_study/pinas
_base_ = ['../../search/pinas_embedded.py', './_base_.py']
train_cfg = dict(max_epochs={{_base_.resnest_pinas_epochs}})
search = _base_.resnest_table_search
