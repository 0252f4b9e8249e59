# CIFAR-100 with the Track-1 augmentation shared by the challenge's solutions (arXiv 2108.05866): random crop 32 with
# padding 4, brightness/contrast 0.1 (p=0.5 each), flip, rotation 15, CIFAR-100 mean/std. torchvision's copy at
# data/cifar100/cifar-100-python.
data_root = 'data/cifar100'
mean, std = (0.5071, 0.4865, 0.4409), (0.1942, 0.1918, 0.1958)
train_pipeline = [
    dict(type='RandomCrop', size=32, padding=4),
    dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.1)], p=0.5),
    dict(type='RandomApply', transforms=[dict(type='ColorJitter', contrast=0.1)], p=0.5),
    dict(type='RandomHorizontalFlip'),
    dict(type='RandomRotation', degrees=15),
    dict(type='ToTensor'),
    dict(type='Normalize', mean=mean, std=std),
]
test_pipeline = [dict(type='ToTensor'), dict(type='Normalize', mean=mean, std=std)]
train_dataloader = dict(
    batch_size=128, num_workers=4, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CIFAR100', root=data_root, train=True, pipeline=train_pipeline))
# Candidate scoring, the Track-1 winner's protocol (arXiv 2108.05866): each architecture's BN statistics re-estimated
# by forwarding a fixed random 10 % of the training set (5000 images, batch 128; the search's recalibration
# settings: momentum 0.1, no reset), then its top-1 on the 10k test images. The winner's augmentation of the
# recalibration images is not documented; the test transform keeps every candidate's statistics reproducible.
scoring_data = dict(
    batch_size=128, num_workers=4,
    recalib=dict(type='CIFAR100', root=data_root, train=True, pipeline=test_pipeline, subset=5000),
    val=dict(type='CIFAR100', root=data_root, train=False, pipeline=test_pipeline))
