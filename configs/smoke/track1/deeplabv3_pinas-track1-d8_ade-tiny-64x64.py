# CPU smoke run of the shipped ADE20K DeepLabV3 config with a Track-1 backbone (PiNASTrack1ResNet, widest arch, no
# pretrained weights; output stride 8): the shipped config's bases with CPU-sized heads, tiny ADE-layout data,
# 64x64 crops, 4 iterations.
_base_ = ['../_base_/models/deeplabv3_pinas-track1-d8.py', '../_base_/datasets/ade-tiny-64x64.py',
          '../_base_/schedules/seg_4it.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor,
             decode_head=dict(num_classes=150), auxiliary_head=dict(num_classes=150))
