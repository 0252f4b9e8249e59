# The Pi-NAS ResNeSt-50-D backbone as the model bases use it. Override the architecture and the weights with
#   --cfg-options model.backbone.arch=CODE_OR_ARCH_FILE model.backbone.init_cfg.checkpoint=WEIGHTS.pth
# The checkpoint may be an exported stand-alone model or a supernet (its candidates are sliced to `arch`).
pinas_arch = '3333113330011021'  # Pi-NAS-trans, the paper's transfer architecture
pinas_checkpoint = 'checkpoints/pinas_resnest50d.pth'
pinas_backbone = dict(
    type='PiNASResNeSt',
    arch=pinas_arch,
    space='pinas_resnest50d',
    out_indices=(0, 1, 2, 3),
    frozen_stages=1,
    norm_eval=True,
    norm_cfg=dict(type='BN', requires_grad=True),
    init_cfg=dict(type='Pretrained', checkpoint=pinas_checkpoint))
