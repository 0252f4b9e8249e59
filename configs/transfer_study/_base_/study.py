# Shared settings of the CPU transfer study (issue 12 item 5): the supernets whose weights the backbones inherit, as
# variables the study's model bases (./models/) read. A study config is a shipped config's bases at a CPU size
# (../../smoke/_base_/models/) with these weights, the "small" generated data (./datasets/; make it with
#     python tools/make_tiny_datasets.py --size small              (data/small; or set PINAS_SMALL_DATA)
# ) and a few CPU minutes of training (./schedules/); choose the architecture, the weights and the seed with
#     --cfg-options model.backbone.arch=CODE model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=N
# Supernet checkpoints of the backbones' spaces, each sliced to the architecture (`model.backbone.init_cfg=None`
# fine-tunes from scratch instead). The defaults are what these commands write:
#   python tools/search.py configs/search/pinas_embedded.py --train-only \
#       --work-dir work_dirs/transfer_study/pinas --cfg-options train_cfg.max_epochs=3
#   python tools/search.py configs/search/spos_track1_embedded.py --train-only \
#       --work-dir work_dirs/transfer_study/spos_track1_10e --cfg-options train_cfg.max_epochs=10
resnest_supernet = '{{$PINAS_RESNEST_SUPERNET:work_dirs/transfer_study/pinas/epoch_3.pth}}'
track1_supernet = '{{$PINAS_TRACK1_SUPERNET:work_dirs/transfer_study/spos_track1_10e/epoch_10.pth}}'
# A model base replaces its backbone's `init_cfg=None` with one of these (`dict(..., _delete_=True)`).
resnest_pretrained = dict(type='Pretrained', checkpoint=resnest_supernet)
track1_pretrained = dict(type='Pretrained', checkpoint=track1_supernet)
