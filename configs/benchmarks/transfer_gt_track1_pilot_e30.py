# Transfer ground truth, pretraining-length pilot (issue 23): the pilot's 10 architectures pretrained stand-alone for
# 30 epochs instead of the classification recipe's 10 (same recipe otherwise, seeds 2 and 3), each fine-tuned with
# the same seed from its own pretraining on small ADE20K for 500 iterations, as the 60-architecture table. The crossed
# pilot traced most of the seeds' disagreement to pretraining (0.73-0.78 from one pretraining, 0.42 from two); this
# asks whether pretraining closer to convergence makes two independent runs of the protocol agree (docs/studies.md).
#   python tools/make_ground_truth.py --space track1_resnet20 --archs configs/transfer_gt/track1_pilot.archs.txt \
#       --seeds 2 3 --epochs 30 --keep-checkpoints work_dirs/transfer_gt/pretrain_e30 \
#       --out results/ground_truth/pilot/track1_resnet20_e30_s23.json [--shard K/N]
#   python tools/benchmark.py configs/benchmarks/transfer_gt_track1_pilot_e30.py [--shard K/N]
#   python tools/make_ground_truth.py --from-records work_dirs/transfer_gt/pilot_e30/deeplabv3_ade-small_500it \
#       --out results/ground_truth/pilot/track1_transfer_ade_500it_e30.json
_base_ = ['./transfer_gt_track1_pilot.py']
pretrain_runs = 'results/ground_truth/pilot/track1_resnet20_e30_s23.runs.json'
entries = [dict(standalone=pretrain_runs, archs='configs/transfer_gt/track1_pilot.archs.txt', name='standalone_e30')]
tasks = [_base_.tasks[0]]  # deeplabv3_ade-small_500it
work_dir = 'work_dirs/transfer_gt/pilot_e30'
