# The transfer ground truth at full size, for a GPU cluster (issue 23): ./transfer_gt_track1.py's study with each
# architecture pretrained stand-alone on CIFAR-100 (the Track-1 challenge's data) and fine-tuned on ADE20K and COCO
# with the shipped recipes. Every piece is the small study's tool with another config:
#   python tools/make_ground_truth.py --space track1_resnet20 --archs configs/transfer_gt/track1.archs.txt \
#       --data-config configs/ranking/ground_truth_cifar100.py --epochs 200 --seeds 2 3 --device cuda \
#       --keep-checkpoints work_dirs/transfer_gt/pretrain_cifar100 \
#       --out results/ground_truth/track1_resnet20_cifar100.json --shard K/N      # one per GPU, then without --shard
#   python tools/benchmark.py configs/benchmarks/transfer_gt_track1_full.py --launcher slurm --partition P
#   python tools/benchmark.py configs/benchmarks/transfer_gt_track1_full.py --export-records results/transfer_gt_full
#   python tools/make_ground_truth.py --from-records work_dirs/transfer_gt/track1_full/deeplabv3_ade20k \
#       --out results/ground_truth/track1_transfer_ade20k.json
_base_ = ['./transfer_gt_track1.py']
pretrain_runs = 'results/ground_truth/track1_resnet20_cifar100.runs.json'
entries = [dict(standalone=pretrain_runs, archs='configs/transfer_gt/track1.archs.txt', name='standalone')]
tasks = [dict(config='configs/transfer_gt/deeplabv3_track1-standalone-d8_4xb4-160k_ade20k-512x512.py',
              name='deeplabv3_ade20k', gpus=4),  # the recipe's 4 GPUs x 4 images
         dict(config='configs/transfer_gt/faster-rcnn_track1-standalone_fpn_syncbn-backbone+head_ms-1x_coco.py',
              name='faster-rcnn_coco', gpus=8)]  # 8 GPUs x 2 images
work_dir = 'work_dirs/transfer_gt/track1_full'
