# The CPU-sized DeepLabV3 of the smoke configs with the backbone initialised from the embedded Pi-NAS supernet
# (../study.py) and ASPP rates scaled to the 12x12 stride-8 maps of 96x96 crops (mmseg's 12/24/36 fit 64x64 maps of
# 512x512 crops; on 12x12 maps they would read only padding).
_base_ = ['../../../smoke/_base_/models/deeplabv3_pinas-tiny-d8.py', '../study.py']
model = dict(backbone=dict(init_cfg=dict(_base_.resnest_pretrained, _delete_=True)),
             decode_head=dict(dilations=(1, 2, 4, 6)))
