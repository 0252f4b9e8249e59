# Transfer ground truth, crossed pilot (issue 23 item 1): the pilot's 10 architectures fine-tuned on small ADE20K
# (500 iterations) with seeds 2 and 3, both from the weights of pretraining seed 2. The pilot's seeds differ in
# pretraining and fine-tuning; these differ in fine-tuning alone, so their seed-to-seed tau, beside the pilot's,
# says which stage the protocol's noise comes from (and so whether more fine-tuning or more pretraining seeds help).
#   (the pilot's pretraining: configs/benchmarks/transfer_gt_track1_pilot.py)
#   python tools/benchmark.py configs/benchmarks/transfer_gt_track1_crossed.py [--shard K/N]
#   python tools/make_ground_truth.py --from-records work_dirs/transfer_gt/crossed/deeplabv3_ade-small_500it \
#       --out results/ground_truth/pilot/track1_transfer_ade_500it_pretrain2.json
_base_ = ['./transfer_gt_track1_pilot.py']
entries = [dict(standalone=_base_.pretrain_runs, archs='configs/transfer_gt/track1_pilot.archs.txt',
                name='pretrain2', pretrain_seed=2)]
tasks = [_base_.tasks[0]]  # deeplabv3_ade-small_500it
work_dir = 'work_dirs/transfer_gt/crossed'
