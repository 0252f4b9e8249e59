# Pi-NAS transfer to ADE20K (150 classes): DeepLabV3 at output stride 8 (the paper's choice), 512x512 crops,
# 4 GPUs x 4 images, 160k iterations (mmseg's schedule: SGD lr 0.01, poly decay). Multi-scale + flip testing,
# as the paper reports, with tools/test.py --tta.
_base_ = ['../_base_/models/deeplabv3_pinas-resnest50d-d8.py', '../_base_/ade20k-512x512_160k.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor,
             decode_head=dict(num_classes=150), auxiliary_head=dict(num_classes=150))
