# Ranking study on the Track-1 ResNet20 channel space (embedded default): CEPT (candidates enhancement +
# progressive training, 4 chained steps) against SPOS and Pi-NAS, all three over the same supernet class (CEPT with
# its enhancement, the other two without), each ranking the architectures of the ground-truth table
# (tools/make_ground_truth.py --space track1_resnet20: 100 architectures x 2 seeds x 10 epochs) at equal compute,
# at every budget, reported on the held-out `report` half (Pi-NAS's settings are chosen on the `tune` half by
# configs/ranking/methods_track1_pinas.py):
#   python tools/ranking_study.py configs/ranking/methods_track1.py \
#       results/ground_truth/track1_resnet20_e10.json --split report [--budget 1 2 4] \
#       [--score-also results/ground_truth/track1_resnet20_e10.archs.txt]   # while the table is still training
#
# Compute is counted in network passes per training image: the sum over a method's stages of the passes per batch
# that stage's algorithm reports (`passes_per_batch` of the model built from the stage's config, forward 1,
# forward + backward 3: SPOS 3, Pi-NAS 8, CEPT 3 / 37 / 25 / 25 with these configs) times the stage's epochs.
# No count is written here: change a search config (e.g. model.num_paths) and the budgets follow it.
study = dict(
    name='track1',  # outputs under <out-dir>/track1/, work dirs under <work-dir>/track1/
    # The method the budgets are measured in: at budget K it trains K x `epochs` (one count per stage, each stage
    # from the previous one's work dir). Stages are config names under configs/search/.
    reference=dict(
        name='cept',
        stages=['cept_embedded', 'cept_embedded_step2', 'cept_embedded_step3', 'cept_embedded_step4'],
        epochs=[1, 1, 1, 1],
        score_label='top-1 of the supernet path (%)'),
    # One stage each: trained for the whole number of epochs whose passes come closest to the reference's.
    baselines=[
        dict(name='spos', stages=['spos_track1_embedded'], score_label='top-1 of the supernet path (%)'),
        # the official settings and kNN: the best of the six variants of methods_track1_pinas.py on the tune half
        # (54 architectures: tau 0.588 [0.46, 0.70], partial tau given FLOPs 0.309; next the BN'd neck, 0.483)
        dict(name='pinas', stages=['pinas_track1_embedded'], score_label='kNN top-1 of the supernet path (%)'),
        # Pi-NAS with positives between paths of one output width: the official recipe's InfoNCE collapses on this
        # space in 2 of 3 supernet seeds, this in none (configs/ranking/methods_track1_pinas_health.py, tune half)
        dict(name='pinas_same_neck_width', stages=['pinas_track1_embedded'],
             score_label='kNN top-1 of the supernet path (%)', cfg_options={'model.same_neck_width': True}),
    ],
    # Multiples of the reference epochs; one point of the cost curves each (1: the budget of the README's table).
    budgets=[1, 2, 4],
    # Supernet training seeds (randomness.seed), so that a method's result comes with its training variance: the
    # first is the search configs' own (runs named without a seed), the others train at the seeded budgets only
    # (one process per seed: --seed S --train-only; a report covers every seed whose runs are all there).
    seeds=[0, 1, 2],
    seeded_budgets=[1, 2],
    # tools/zero_cost.py's tables for the same architectures (relative to the repository), drawn as horizontal
    # lines: python tools/zero_cost.py track1_resnet20 results/ground_truth/track1_resnet20_e10.archs.txt --out DIR
    # (the 30-architecture 3-epoch table's are in results/ranking/baselines/track1_resnet20: pass --zero-cost)
    zero_cost='results/ranking/baselines/track1_resnet20_e10',
    topk=[5, 10],  # top-k precision sizes of the report
    # The two held-out halves of a table's architectures (--split tune / report): a method's settings are chosen on
    # `tune` and reported on `report`; an architecture's half is a hash of its code and the seed.
    split=dict(tune=0.5, seed=0),
    # The baseline every row also gets a partial Kendall tau given: how well it ranks beyond what FLOPs already rank
    # (a sample spread from the smallest to the largest codes ranks mostly by size).
    control='flops',
    # A contrastive run (Pi-NAS) whose queries sit as close to the negatives as to their positives over its last
    # epoch (pos_sim - neg_sim below this) no longer learns from its InfoNCE: its run file and the study mark it
    # collapsed (a margin of 0 is chance: the embedding no longer separates an image from the others).
    health=dict(min_margin=0.05),
)
