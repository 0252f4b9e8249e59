# Transfer study, semantic segmentation, ResNeSt space: the shipped ADE20K DeepLabV3 config's bases (output stride 8)
# with the CPU-sized Pi-NAS backbone (pinas_resnest_tiny) initialised from the embedded search's supernet, the smoke
# configs' narrow heads, on small ADE20K-layout data (96x96 crops, 21 classes) for a few CPU minutes. One-line
# overrides:
#   --cfg-options model.backbone.arch=311021 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['./_base_/models/deeplabv3_pinas-tiny-d8.py', './_base_/datasets/ade-small-96x96.py',
          './_base_/schedules/seg_500it.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor, decode_head=dict(num_classes=_base_.study_ade_classes),
             auxiliary_head=dict(num_classes=_base_.study_ade_classes))
