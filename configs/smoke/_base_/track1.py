# The Track-1 ResNet20 width space's plain stand-alone networks as a backbone (PiNASTrack1ResNet), as variables the
# Track-1 model bases (./models/*track1*.py) read. The space is the embedded Track-1 searches' (configs/search/
# *track1_embedded.py; only the widths matter here): widths 4-16 / 4-32 / 4-64 per stage. Outputs are zero-padded
# to the stage maxima, so one neck and head fit every architecture. The default arch is the widest.
track1_space = dict(base='track1_resnet20', num_classes=20, name='track1_resnet20_embedded')
track1_channels = [16, 32, 64]
track1_backbone = dict(
    _delete_=True, type='PiNASTrack1ResNet', space=track1_space,
    arch='16-16-16-16-16-16-16-32-32-32-32-32-32-64-64-64-64-64-64-64',
    shortcut='projection',  # the plain supernet's blocks: inherited weights compute the supernet's path exactly
    frozen_stages=-1, norm_eval=False, norm_cfg=dict(type='SyncBN', requires_grad=True), init_cfg=None)
# Strides: a CIFAR ResNet20 keeps full resolution in its first stage. Detection downsamples by 4 first
# (stride-2 stem conv + max-pool, as ResNet's: FPN strides 4, 8, 16); segmentation by 2 (output stride 8).
track1_det_backbone = dict(track1_backbone, stem_stride=2, stem_pool=True)
track1_seg_backbone = dict(track1_backbone, stem_stride=2)
