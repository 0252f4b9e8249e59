# Tuning Pi-NAS for the Track-1 study (embedded default): its few free settings, each variant a line below (the
# method's cfg_options on top of configs/search/pinas_track1_embedded.py), all at the Track-1 study's budget-1
# compute. Variants are compared on the `tune` half of the ground truth's architectures only; the chosen one goes
# into configs/ranking/methods_track1.py, which reports on the other half (`--split report`), so the comparison
# with SPOS and CEPT is not fitted to the table it is reported on.
#   python tools/ranking_study.py configs/ranking/methods_track1_pinas.py \
#       results/ground_truth/track1_resnet20_e10.json --split tune \
#       --score-also results/ground_truth/track1_resnet20_e10.archs.txt
#
# Why these: with the official settings (MoCo v2 neck without BN, temperature 0.2, momentum 0.99, queue 4096) the
# embedding collapses on this data (neg_sim, the queries' mean cosine to the queue, climbs to 0.7 in the third of
# three epochs, and the keys' effective rank falls to about 1); a slower teacher (0.999) or a shorter queue (1024)
# collapses sooner, a higher temperature (0.5) or a lower lr (0.015) no later. A BN'd projection (MoCo v3 /
# SimCLR v2 style, `neck.norm`) centres the embeddings over the batch and does not collapse in three epochs.
# The teacher is not frozen by its path-only updates here: in this channel supernet every width of a position is
# a slice of one shared conv-BN unit, so each step's path updates every position's unit (858 updates in 11 epochs of
# 78 steps; 0.99^858 = 2e-4 of the initial weights remain). The queue (4096 = 64 steps of 64 keys, 0.82 of an
# epoch) spans 64 teacher updates, 0.64 of the EMA's 100-update time constant (MoCo on ImageNet: 256 of 1000, 0.26):
# older keys than MoCo's relative to the teacher, yet the shorter queue (1024) collapses sooner, not later.
_base_ = ['./methods_track1.py']
_pinas = 'pinas_track1_embedded'
_score = 'kNN top-1 of the supernet path (%)'
_probe = dict(_delete_=True, type='linear_probe', recalib_batches=10,
              head=dict(num_classes=20, epochs=10, lr=30.0, milestones=(6, 8), batch_size=64))
study = dict(
    _delete_=True,
    name='track1_pinas',  # outputs under <out-dir>/track1_pinas/
    # the official settings: 11 epochs = 88 passes per image, the Track-1 study's budget 1
    reference=dict(name='pinas', stages=[_pinas], epochs=[11], score_label=_score),
    baselines=[
        dict(name='pinas_bn', stages=[_pinas], score_label=_score, cfg_options={'model.neck.norm': True}),
        dict(name='pinas_bn_t05', stages=[_pinas], score_label=_score,
             cfg_options={'model.neck.norm': True, 'model.temperature': 0.5}),
        # the same path's key as positive (the `cross_path=False` ablation), still two paths a step: its InfoNCE
        # falls far below chance where the cross-path one does not (a BN-statistics shortcut is the likely reason:
        # one process has no ShuffleBN), so whether its features rank better is for the tune half to say
        dict(name='pinas_same_path', stages=[_pinas], score_label=_score, cfg_options={'model.cross_path': False}),
        # the official proxy instead of kNN, on the same supernets (a variant that only scores differently trains
        # nothing: stages that train alike share their work dir): a linear head on the frozen supernet, a uniform
        # path per step, SGD lr 30 dropped 10x at 60 % and 80 % of its epochs (Ernie1/Pi-NAS, linear training)
        dict(name='pinas_probe', stages=[_pinas], score_label='linear-probe top-1 of the supernet path (%)',
             cfg_options={'search.scorer': _probe}),
        dict(name='pinas_bn_probe', stages=[_pinas], score_label='linear-probe top-1 of the supernet path (%)',
             cfg_options={'model.neck.norm': True, 'search.scorer': _probe}),
    ],
    budgets=[1],
    # python tools/zero_cost.py track1_resnet20 results/ground_truth/track1_resnet20_e10.archs.txt --out DIR
    zero_cost='results/ranking/baselines/track1_resnet20_e10',
    topk={{_base_.study.topk}},
    split={{_base_.study.split}},
    control={{_base_.study.control}},
)
