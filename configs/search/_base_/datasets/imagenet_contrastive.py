# ImageNet for Pi-NAS learning (pinas-official.md 2.3): 4 crops per image, MoCo-v2 pipeline with hue 0.4 (the
# OpenSelfSup setting), 24 images per GPU. Labels are not used. Layout: data/imagenet/train/<class>/<image>, or set
# dataset.ann_file to a list file ("relative/path label").
data_root = 'data/imagenet'
mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
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
train_dataloader = dict(
    batch_size=24, num_workers=8, persistent_workers=True, drop_last=True, pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageFolder', root=data_root, split='train', num_views=4, pipeline=contrastive_pipeline))
