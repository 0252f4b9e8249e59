# Pi-NAS transfer to ADE20K (150 classes): UPerNet on the four stages (output stride 32), 512x512 crops,
# 4 GPUs x 4 images, 160k iterations (mmseg's schedule: SGD lr 0.01, poly decay).
_base_ = ['../_base_/models/upernet_pinas-resnest50d.py', '../_base_/ade20k-512x512_160k.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor,
             decode_head=dict(num_classes=150), auxiliary_head=dict(num_classes=150))
