# The ground truth at full size: a Track-1 architecture trained stand-alone on CIFAR-100, the challenge's own data
# (torchvision's copy at data/cifar100/cifar-100-python), the data of tools/make_ground_truth.py --data-config.
# Both splits are held in memory as normalised tensors (the search configs' test transform); the recipe
# (--recipe, configs/ranking/ground_truth.py) crops and flips the training tensors itself, as it does on the
# embedded default. On GPUs, one process per shard:
#   python tools/make_ground_truth.py --space track1_resnet20 --archs configs/transfer_gt/track1_60.archs.txt \
#       --data-config configs/ranking/ground_truth_cifar100.py --epochs 200 --seeds 2 3 \
#       --keep-checkpoints work_dirs/transfer_gt/pretrain_cifar100 \
#       --out results/ground_truth/track1_resnet20_cifar100.json --shard K/N --device cuda
_base_ = ['../search/_base_/datasets/cifar100_track1.py']
default_scope = 'pinas'  # the datasets and their torchvision pipelines are built by pinas
standalone_data = dict(
    num_classes=100,
    train=dict(type='CIFAR100', root={{_base_.data_root}}, train=True, pipeline={{_base_.test_pipeline}}),
    val=dict(type='CIFAR100', root={{_base_.data_root}}, train=False, pipeline={{_base_.test_pipeline}}))
