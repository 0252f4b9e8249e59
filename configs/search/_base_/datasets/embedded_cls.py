# The embedded default for supervised supernets: the synthetic dataset, 32x32, light augmentation.
_base_ = ['./embedded.py']
train_pipeline = [
    dict(type='RandomCrop', size=32, padding=4),
    dict(type='RandomHorizontalFlip'),
    dict(type='ToTensor'),
    dict(type='Normalize', mean={{_base_.mean}}, std={{_base_.std}}),
]
test_pipeline = [dict(type='ToTensor'), dict(type='Normalize', mean={{_base_.mean}}, std={{_base_.std}})]
train_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageFolder', root={{_base_.data_root}}, split='train', pipeline=train_pipeline,
                 synthetic={{_base_.synthetic}}))
# What candidate scoring reads (the `search.data` of a config): precise-BN on 10 batches of 128 training images
# without augmentation, then the score on a fixed 1000-image val subset.
scoring_data = dict(
    batch_size=128,
    recalib=dict(type='ImageFolder', root={{_base_.data_root}}, split='train', pipeline=test_pipeline, subset=1280),
    val=dict(type='ImageFolder', root={{_base_.data_root}}, split='val', pipeline=test_pipeline, subset=1000))
