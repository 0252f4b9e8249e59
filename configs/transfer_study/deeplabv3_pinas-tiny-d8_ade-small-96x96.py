# Transfer study, semantic segmentation, ResNeSt space: the shipped ADE20K DeepLabV3 config (output stride 8) with
# the CPU-sized Pi-NAS backbone (pinas_resnest_tiny) initialised from the embedded search's supernet, the smoke
# configs' narrow heads, on small ADE20K-layout data (96x96 crops) for a few CPU minutes. One-line overrides:
#   --cfg-options model.backbone.arch=311021 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py', './_base_/seg.py']
globals().update(_base_.small_ade)  # data, crop size, pipelines, loaders, schedule: ./_base_/seg.py
model = dict(_base_.study_seg_model, backbone=_base_.resnest_backbone,
             decode_head=dict(_base_.study_aspp_head, in_channels=_base_.tiny_channels[3]))
