# Zero-cost baselines on the embedded default, the data the suite's ground truth trains on
# (tools/make_ground_truth.py): one fixed minibatch of the training images, normalised as ground-truth training
# normalises them, and the network's classifier sized for the dataset's classes.
#   python tools/zero_cost.py track1_resnet20 results/ground_truth/track1_resnet20.json --out DIR
_base_ = ['../search/_base_/datasets/embedded.py']
default_scope = 'pinas'  # the data and its torchvision pipeline are built by pinas, as tools/zero_cost.py does
zero_cost = dict(
    num_classes={{_base_.num_classes}},
    batch_size=64,         # NAS-Bench-Suite-Zero's batch: also the size of jacov's and naswot's N x N matrices
    data_seed=0,           # which training images form the batch (the same for every architecture)
    init_seeds=[0, 1, 2],  # init-dependent proxies are averaged over these initialisations
    data=dict(type='ImageFolder', root={{_base_.data_root}}, ann_file='meta/train.txt',
              synthetic={{_base_.synthetic}},
              pipeline=[dict(type='ToTensor'), dict(type='Normalize', mean={{_base_.mean}}, std={{_base_.std}})]))
