# The embedded default for supervised supernets: the synthetic dataset, 32x32, light augmentation.
data_root = 'data/embedded'
synthetic = dict(num_classes=10, train_per_class=240, val_per_class=60, image_size=32, seed=0)
mean, std = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)
train_pipeline = [
    dict(type='RandomCrop', size=32, padding=4),
    dict(type='RandomHorizontalFlip'),
    dict(type='ToTensor'),
    dict(type='Normalize', mean=mean, std=std),
]
test_pipeline = [dict(type='ToTensor'), dict(type='Normalize', mean=mean, std=std)]
train_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageFolder', root=data_root, split='train', pipeline=train_pipeline, synthetic=synthetic))
