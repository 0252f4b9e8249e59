# What the segmentation study configs change in their shipped config, as variables (a key may not come from two
# bases): small ADE20K-layout data (128x128 images, 96x96 crops), an iteration budget that fits a few CPU minutes,
# and the smoke configs' CPU-sized heads. A study config takes
#     globals().update(_base_.small_ade)
# and its model from `_base_.study_seg_model` with a study backbone (./study.py) and a decode head.
_base_ = ['../../smoke/_base_/seg.py', './study.py']
study_seg_iters = 500
study_seg_batch = 8
study_seg_lr = 0.05
study_seg_warmup = 30  # iterations of linear warm-up
study_crop_size = (96, 96)
study_image_scale = (128, 128)  # the small ADE images' size
# Small ADE20K uses only ADE's first 21 classes (downstream/datasets/tiny.py, SIZE_PRESETS['small']): the heads
# predict those, since upsampling and softmax of 150-class logits would take most of a CPU step.
study_ade_classes = 21
study_seg_model = dict(_base_.tiny_seg_model, data_preprocessor=dict(size=study_crop_size),
                       auxiliary_head=dict(_base_.tiny_seg_model['auxiliary_head'], num_classes=study_ade_classes))
# DeepLabV3's ASPP rates scaled to the 12x12 stride-8 maps of 96x96 crops (mmseg's 12/24/36 fit 64x64 maps of
# 512x512 crops; on 12x12 maps they would read only padding).
study_aspp_head = dict(channels=64, dilations=(1, 2, 4, 6), num_classes=study_ade_classes)


def small_seg_data(data_root, **load_annotations):
    """The keys of a study config on a small dataset: 96x96 crops of images rescaled by 0.75-1.5 and flips (no
    photometric distortion: colour is half of what tells the classes apart), `study_seg_iters` iterations of
    batch `study_seg_batch`, SGD with warm-up then poly decay (mmseg's), whole-image evaluation at the end."""
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', **load_annotations),
        dict(type='RandomResize', scale=study_image_scale, ratio_range=(0.75, 1.5), keep_ratio=True),
        dict(type='RandomCrop', crop_size=study_crop_size, cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackSegInputs'),
    ]
    test_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=study_image_scale, keep_ratio=True),
        dict(type='LoadAnnotations', **load_annotations),
        dict(type='PackSegInputs'),
    ]
    val_dataloader = dict(batch_size=1, num_workers=0, persistent_workers=False,
                          dataset=dict(data_root=data_root, pipeline=test_pipeline))
    iters = study_seg_iters
    return dict(
        data_root=data_root,
        crop_size=study_crop_size,
        data_preprocessor=study_seg_model['data_preprocessor'],
        train_pipeline=train_pipeline,
        test_pipeline=test_pipeline,
        train_dataloader=dict(batch_size=study_seg_batch, num_workers=0, persistent_workers=False,
                              dataset=dict(data_root=data_root, pipeline=train_pipeline)),
        val_dataloader=val_dataloader,
        test_dataloader=val_dataloader,
        train_cfg=dict(max_iters=iters, val_interval=iters),
        optim_wrapper=dict(optimizer=dict(lr=study_seg_lr)),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=study_seg_warmup),
            # no `end`: the Runner sets it to max_iters, so --cfg-options train_cfg.max_iters=N keeps the shape
            dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=study_seg_warmup, by_epoch=False)],
        default_hooks=dict(logger=dict(interval=50), checkpoint=dict(interval=iters)))


small_ade = small_seg_data(_base_.small_data_root + '/ade/ADEChallengeData2016', reduce_zero_label=True)
