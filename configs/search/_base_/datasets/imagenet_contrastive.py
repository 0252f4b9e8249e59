# ImageNet for Pi-NAS learning (Ernie1/Pi-NAS learning config): 4 crops per image, MoCo-v2 pipeline with hue 0.4 (the
# OpenSelfSup setting), 24 images per GPU. Labels are not used for training; the scoring data (linear probe,
# recalibration, val) and the layout come from the supervised base.
_base_ = ['./imagenet_cls.py']
mean, std = {{_base_.mean}}, {{_base_.std}}
contrastive_pipeline = [
    dict(type='RandomResizedCrop', size=224, scale=(0.2, 1.0)),
    dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
                                              hue=0.4)], p=0.8),
    dict(type='RandomGrayscale', p=0.2),
    dict(type='RandomApply', transforms=[dict(type='PILGaussianBlur', sigma=(0.1, 2.0))], p=0.5),
    dict(type='RandomHorizontalFlip'),
    dict(type='ToTensor'),
    dict(type='Normalize', mean=mean, std=std),
]
train_dataloader = dict(batch_size=24, dataset=dict(num_views=4, pipeline=contrastive_pipeline))
