# ImageNet for supervised supernets (SPOS): RandomResizedCrop 224 + flip; and what candidate scoring reads.
# Layout: data/imagenet/{train,val}/<class>/<image>, or set dataset.ann_file to a list file ("relative/path label").
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
# Candidate scoring (the `search.data` of a config), the official protocol (Ernie1/Pi-NAS search phase): BN
# recalibration on a fixed random 50k subset of train with the training augmentation (re-seeded per candidate),
# scores on the 50k val images, a probe head (if the scorer has one) trained on all of train. 128 images per GPU.
scoring_data = dict(
    batch_size=128, num_workers=8,
    recalib=dict(type='ImageFolder', root=data_root, split='train', pipeline=train_pipeline, subset=50000),
    val=dict(type='ImageFolder', root=data_root, split='val', pipeline=test_pipeline),
    train=dict(type='ImageFolder', root=data_root, split='train', pipeline=train_pipeline))
