# The embedded default for unsupervised supernets: the synthetic dataset (generated on first use, no download),
# 4 MoCo-style views per image at 32x32. Blur is left out: at 32 px it erases the stripe textures classes rely on.
_base_ = ['./embedded.py']
contrastive_pipeline = [
    dict(type='RandomResizedCrop', size=32, scale=(0.2, 1.0)),
    dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
                                              hue=0.4)], p=0.8),
    dict(type='RandomGrayscale', p=0.2),
    dict(type='RandomHorizontalFlip'),
    dict(type='ToTensor'),
    dict(type='Normalize', mean={{_base_.mean}}, std={{_base_.std}}),
]
train_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageFolder', root={{_base_.data_root}}, split='train', num_views=4,
                 pipeline=contrastive_pipeline,
                 synthetic={{_base_.synthetic}}))
# What candidate scoring reads (the `search.data` of a config): precise-BN on 10 batches of 128 training images
# without augmentation, then kNN top-1 of a fixed 1000-image val subset against 1000 labelled training images; or,
# with scorer type 'linear_probe' (the official proxy), the top-1 of a linear head trained on `train` (labelled,
# lightly augmented) over uniformly sampled paths.
test_pipeline = [dict(type='ToTensor'), dict(type='Normalize', mean={{_base_.mean}}, std={{_base_.std}})]
probe_pipeline = [dict(type='RandomCrop', size=32, padding=4), dict(type='RandomHorizontalFlip'), *test_pipeline]
scoring_data = dict(
    batch_size=128,
    recalib=dict(type='ImageFolder', root={{_base_.data_root}}, split='train', pipeline=test_pipeline, subset=1280),
    memory=dict(type='ImageFolder', root={{_base_.data_root}}, split='train', pipeline=test_pipeline, subset=1000),
    val=dict(type='ImageFolder', root={{_base_.data_root}}, split='val', pipeline=test_pipeline, subset=1000),
    train=dict(type='ImageFolder', root={{_base_.data_root}}, split='train', pipeline=probe_pipeline))
