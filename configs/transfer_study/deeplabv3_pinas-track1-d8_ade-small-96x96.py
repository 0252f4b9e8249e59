# Transfer study, semantic segmentation, Track-1 space: as deeplabv3_pinas-tiny-d8_ade-small-96x96.py with a plain
# stand-alone Track-1 ResNet20 (PiNASTrack1ResNet) initialised from the plain Track-1 supernet. Its stem conv has
# stride 2, so the three stages give strides 2, 4, 8: output stride 8 without dilation. The decode head reads the
# last stage, the auxiliary head the second.
#   --cfg-options model.backbone.arch=16-8-...-64 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['./_base_/models/deeplabv3_pinas-track1-d8.py', './_base_/datasets/ade-small-96x96.py',
          './_base_/schedules/seg_500it.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor, decode_head=dict(num_classes=_base_.study_ade_classes),
             auxiliary_head=dict(num_classes=_base_.study_ade_classes))
