# ImageNet for supervised supernets (SPOS): RandomResizedCrop 224 + flip.
data_root = 'data/imagenet'
mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
train_pipeline = [
    dict(type='RandomResizedCrop', size=224),
    dict(type='RandomHorizontalFlip'),
    dict(type='ToTensor'),
    dict(type='Normalize', mean=mean, std=std),
]
test_pipeline = [dict(type='Resize', size=256), dict(type='CenterCrop', size=224), dict(type='ToTensor'),
                 dict(type='Normalize', mean=mean, std=std)]
train_dataloader = dict(
    batch_size=64, num_workers=8, persistent_workers=True, drop_last=True, pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageFolder', root=data_root, split='train', pipeline=train_pipeline))
