# The paper's transfer setting on GPUs: Pi-NAS-trans, Pi-NAS-cls and ResNeSt-50 (code 1...1), and the best and
# worst architectures of a Pi-NAS ImageNet search, each with Mask R-CNN on COCO and DeepLabV3 on ADE20K and
# Cityscapes (single-scale, then multi-scale + flip), one seed.
#   python tools/benchmark.py configs/benchmarks/pinas_resnest50d_transfer.py --launcher slurm --partition P
#   python tools/benchmark.py configs/benchmarks/pinas_resnest50d_transfer.py --launcher pytorch --print-commands
# The named models take the backbone weights of the shipped configs (checkpoints/pinas_resnest50d.pth, a supernet
# sliced to each code); give an entry weights=PATH for others (a record's pretrain says what they are).
_base_ = ['./_base_/tasks.py']
search_dir = 'work_dirs/pinas_resnest50d_8xb24-amp-100e_imagenet'
entries = [dict(model='pinas-trans'), dict(model='pinas-cls'), dict(model='resnest50d'), dict(top=5),
           dict(bottom=3)]
tasks = [_base_.coco_mask_rcnn, _base_.ade_deeplabv3, _base_.cityscapes_deeplabv3]
seeds = [0]
