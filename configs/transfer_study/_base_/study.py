# Shared settings of the CPU transfer study (issue 12 item 5): the "small" generated datasets, the supernets whose
# weights the backbones inherit, and the backbones of the two spaces the study compares. A study config is a
# shipped config plus ./det.py or ./seg.py; make the data with
#     python tools/make_tiny_datasets.py --size small              (data/small; or set PINAS_SMALL_DATA)
# and choose the architecture, the weights and the seed on the command line:
#     --cfg-options model.backbone.arch=CODE model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=N
_base_ = ['../../smoke/_base_/track1.py']
small_data_root = '{{$PINAS_SMALL_DATA:data/small}}'
# Supernet checkpoints of the backbones' spaces, each sliced to the architecture (`model.backbone.init_cfg=None`
# fine-tunes from scratch instead). The defaults are what these commands write:
#   python tools/search.py configs/search/pinas_embedded.py --train-only \
#       --work-dir work_dirs/transfer_study/pinas --cfg-options train_cfg.max_epochs=3
#   python tools/search.py configs/search/spos_track1_embedded.py --train-only \
#       --work-dir work_dirs/transfer_study/spos_track1_10e --cfg-options train_cfg.max_epochs=10
resnest_supernet = '{{$PINAS_RESNEST_SUPERNET:work_dirs/transfer_study/pinas/epoch_3.pth}}'
track1_supernet = '{{$PINAS_TRACK1_SUPERNET:work_dirs/transfer_study/spos_track1_10e/epoch_10.pth}}'
# The CPU-sized ResNeSt space of the embedded search; arch: any of its codes.
resnest_backbone = dict(space='pinas_resnest_tiny', arch='311021',
                        init_cfg=dict(type='Pretrained', checkpoint=resnest_supernet))
track1_pretrained = dict(type='Pretrained', checkpoint=track1_supernet)
