# The CPU-sized model settings the smoke and transfer-study model bases (./models/) share, as variables.
# CPU-sized Pi-NAS backbone: quarter width, stage widths 64/128/256/512; no pretrained weights.
tiny_backbone = dict(space='pinas_resnest_tiny', arch='311021', init_cfg=None)
tiny_channels = [64, 128, 256, 512]
# Detection heads at a CPU size: narrow FPN and heads, fewer proposals and sampled RoIs; no score threshold, so
# that an almost untrained model still emits boxes and the COCO evaluation runs.
tiny_fpn_channels = 32
tiny_fc_channels = 64
tiny_proposals = dict(nms_pre=200, max_per_img=100)
tiny_rois = 64
