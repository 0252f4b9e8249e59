# Zero-cost baselines against the CVPR 2021 Track-1 challenge's ground truth (CIFAR-100, 100 classes):
#   python tools/zero_cost.py track1_resnet20 ../shared/data/track1_gt_first_1000.json \
#       --config configs/ranking/zero_cost_cifar100.py --proxies params flops --out DIR
# params and flops need no data; the other proxies read a fixed minibatch of CIFAR-100 train
# (data/cifar100/cifar-100-python), with the test transform of the Track-1 search configs.
_base_ = ['../search/_base_/datasets/cifar100_track1.py']
default_scope = 'pinas'  # the data and its torchvision pipeline are built by pinas, as tools/zero_cost.py does
zero_cost = dict(
    num_classes=100,
    batch_size=64,
    data_seed=0,
    init_seeds=[0, 1, 2],
    data=dict(type='CIFAR100', root={{_base_.data_root}}, train=True, pipeline={{_base_.test_pipeline}}))
