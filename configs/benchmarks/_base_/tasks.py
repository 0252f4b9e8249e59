# The transfer tasks benchmarks pick from, as variables (a benchmark lists `tasks = [_base_.coco_mask_rcnn, ...]`):
# the shipped configs, with the GPUs each was designed for (its name's NxbM), and their CPU smoke versions on the
# generated tiny datasets (tools/make_tiny_datasets.py; records name them COCO-tiny, ADE20K-tiny, ...).
# Task keys: config, name (the job dirs' and the records' task label), dataset, tta (also test multi-scale + flip:
# the record gets mIoU_ms_flip), amp, gpus, cfg_options.
coco_mask_rcnn = dict(
    name='mask-rcnn_coco', gpus=8,
    config='configs/mask_rcnn/mask-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py')
coco_faster_rcnn = dict(
    name='faster-rcnn_coco', gpus=8,
    config='configs/faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py')
coco_retinanet = dict(
    name='retinanet_coco', gpus=8,
    config='configs/retinanet/retinanet_pinas-resnest50d_fpn_syncbn-backbone+neck_ms-1x_coco.py')
ade_deeplabv3 = dict(
    name='deeplabv3_ade20k', gpus=4, tta=True,
    config='configs/deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py')
ade_upernet = dict(
    name='upernet_ade20k', gpus=4, tta=True,
    config='configs/upernet/upernet_pinas-resnest50d_4xb4-160k_ade20k-512x512.py')
cityscapes_deeplabv3 = dict(
    name='deeplabv3_cityscapes', gpus=4, tta=True,
    config='configs/deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb2-80k_cityscapes-769x769.py')

smoke_mask_rcnn = dict(name='mask-rcnn_coco-tiny', config='configs/smoke/mask-rcnn_pinas-tiny_fpn_1x_coco-tiny.py')
smoke_faster_rcnn = dict(name='faster-rcnn_coco-tiny',
                         config='configs/smoke/faster-rcnn_pinas-tiny_fpn_1x_coco-tiny.py')
smoke_retinanet = dict(name='retinanet_coco-tiny', config='configs/smoke/retinanet_pinas-tiny_fpn_1x_coco-tiny.py')
smoke_ade_deeplabv3 = dict(name='deeplabv3_ade-tiny',
                           config='configs/smoke/deeplabv3_pinas-tiny-d8_ade-tiny-64x64.py')
smoke_ade_upernet = dict(name='upernet_ade-tiny', config='configs/smoke/upernet_pinas-tiny_ade-tiny-64x64.py')
smoke_cityscapes_deeplabv3 = dict(name='deeplabv3_cityscapes-tiny',
                                  config='configs/smoke/deeplabv3_pinas-tiny-d8_cityscapes-tiny-64x64.py')

# The CPU transfer study's tasks (configs/transfer_study/, issue 12 item 5): the shipped Faster R-CNN and DeepLabV3
# configs on the small generated COCO / ADE20K (tools/make_tiny_datasets.py --size small), a few CPU minutes each,
# with the backbone of either space.
study_faster_rcnn = dict(name='faster-rcnn_coco-small',
                         config='configs/transfer_study/faster-rcnn_pinas-tiny_fpn_coco-small.py')
study_ade_deeplabv3 = dict(name='deeplabv3_ade-small',
                           config='configs/transfer_study/deeplabv3_pinas-tiny-d8_ade-small-96x96.py')
study_track1_faster_rcnn = dict(name='faster-rcnn_coco-small',
                                config='configs/transfer_study/faster-rcnn_pinas-track1_fpn_coco-small.py')
study_track1_ade_deeplabv3 = dict(name='deeplabv3_ade-small',
                                  config='configs/transfer_study/deeplabv3_pinas-track1-d8_ade-small-96x96.py')
