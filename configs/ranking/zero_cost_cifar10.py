# Zero-cost baselines against NAS-Bench-Macro's table (CIFAR-10, 10 classes):
#   python tools/zero_cost.py nasbench_macro ../shared/data/nas-bench-macro_cifar10.json \
#       --config configs/ranking/zero_cost_cifar10.py --proxies params flops --out DIR
# The suite has no CIFAR-10 dataset class yet, so only the architecture-only proxies (params, flops) run.
zero_cost = dict(num_classes=10, batch_size=64, data_seed=0, init_seeds=[0, 1, 2], data=None)
