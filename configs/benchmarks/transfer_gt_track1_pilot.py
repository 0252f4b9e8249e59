# Transfer ground truth, pilot (issue 23 item 1): 10 architectures of the Track-1 classification ground truth (its
# sample's first 10: the smallest, the largest and 8 Dirichlet draws), each pretrained stand-alone with the
# ground truth's recipe (10 epochs) under new seeds 2 and 3, then fine-tuned with the same seed from those weights
# on small ADE20K (DeepLabV3) at two lengths and on small COCO (Faster R-CNN). The pilot picks the segmentation
# length at which the seed-to-seed tau reaches 0.7, and says whether detection reaches 0.5.
#   python tools/make_tiny_datasets.py --size small                 # data/small (or set PINAS_SMALL_DATA)
#   python tools/make_ground_truth.py --space track1_resnet20 --archs configs/transfer_gt/track1_pilot.archs.txt \
#       --seeds 2 3 --epochs 10 --keep-checkpoints work_dirs/transfer_gt/pretrain \
#       --out results/ground_truth/track1_resnet20_e10_s23.json [--shard K/N]
#   python tools/benchmark.py configs/benchmarks/transfer_gt_track1_pilot.py [--shard K/N]
_base_ = ['./_base_/tasks.py']
pretrain_runs = 'results/ground_truth/track1_resnet20_e10_s23.runs.json'
entries = [dict(standalone=pretrain_runs, archs='configs/transfer_gt/track1_pilot.archs.txt', name='standalone')]
seg = 'configs/transfer_gt/deeplabv3_track1-standalone-d8_ade-small-96x96.py'
det = 'configs/transfer_gt/faster-rcnn_track1-standalone_fpn_coco-small.py'
tasks = [
    dict(config=seg, name='deeplabv3_ade-small_500it', cfg_options={'train_cfg.max_iters': 500}),
    dict(config=seg, name='deeplabv3_ade-small_1000it', cfg_options={'train_cfg.max_iters': 1000}),
    dict(config=det, name='faster-rcnn_coco-small'),
]
seeds = [2, 3]  # each fine-tune seed starts from the weights of the pretraining run of the same seed
work_dir = 'work_dirs/transfer_gt/pilot'
