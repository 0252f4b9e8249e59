# The crossed pilot's other half (configs/benchmarks/transfer_gt_track1_crossed.py): seeds 2 and 3 fine-tuned from
# the weights of pretraining seed 3, so that the fine-tuning-only seed tau is measured from both pretrained networks.
#   python tools/benchmark.py configs/benchmarks/transfer_gt_track1_crossed_pretrain3.py [--shard K/N]
#   python tools/make_ground_truth.py --from-records work_dirs/transfer_gt/crossed_pretrain3/deeplabv3_ade-small_500it \
#       --out results/ground_truth/pilot/track1_transfer_ade_500it_pretrain3.json
_base_ = ['./transfer_gt_track1_crossed.py']
entries = [dict(standalone=_base_.pretrain_runs, archs='configs/transfer_gt/track1_pilot.archs.txt',
                name='pretrain3', pretrain_seed=3)]
work_dir = 'work_dirs/transfer_gt/crossed_pretrain3'  # its own table: one run per architecture and seed
