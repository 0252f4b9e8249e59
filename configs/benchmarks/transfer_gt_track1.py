# Transfer ground truth of the Track-1 sample (issue 23 item 2): the architectures of
# configs/transfer_gt/track1.archs.txt (the classification ground truth's 100, ordered: the pilot's 10, the rest of
# the study's `report` half, then the `tune` half, so that a partial run covers the report half first), pretrained
# stand-alone with the classification ground truth's recipe under seeds 2 and 3 (new seeds of that table too),
# each fine-tuned with the same seed on small ADE20K at the length the pilot chose.
#   python tools/make_ground_truth.py --space track1_resnet20 --archs configs/transfer_gt/track1.archs.txt \
#       --seeds 2 3 --epochs 10 --keep-checkpoints work_dirs/transfer_gt/pretrain \
#       --out results/ground_truth/track1_resnet20_e10_s23.json [--shard K/N]
#   python tools/benchmark.py configs/benchmarks/transfer_gt_track1.py [--shard K/N]
# On a cluster: the same commands with --launcher slurm (benchmark) and one make_ground_truth shard per GPU.
_base_ = ['./transfer_gt_track1_pilot.py']
entries = [dict(standalone=_base_.pretrain_runs, archs='configs/transfer_gt/track1.archs.txt', name='standalone')]
tasks = [dict(config=_base_.seg, name='deeplabv3_ade-small')]  # iterations: set from the pilot
work_dir = 'work_dirs/transfer_gt/track1'
