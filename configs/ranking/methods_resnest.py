# Ranking study on the tiny Pi-NAS ResNeSt space (embedded default, `pinas_resnest_tiny`): Pi-NAS against SPOS,
# each ranking the architectures of the ground-truth table (tools/make_ground_truth.py --space pinas_resnest_tiny)
# at equal compute, at every budget.
#   python tools/ranking_study.py configs/ranking/methods_resnest.py \
#       results/ground_truth/pinas_resnest_tiny.json [--budget 1 2 4]
#
# Compute is counted in network passes per training image: the passes per batch each stage's algorithm reports
# (`passes_per_batch` of the model built from the stage's config, forward 1, forward + backward 3: Pi-NAS 8 with
# two paths, SPOS 3) times the epochs. No count is written here: change a search config (e.g. model.num_paths) and
# the budgets follow it.
study = dict(
    name='resnest',  # outputs under <out-dir>/resnest/, work dirs under <work-dir>/resnest/
    # The method the budgets are measured in: at budget K it trains K x `epochs` (one count per stage). Stages are
    # config names under configs/search/.
    reference=dict(name='pinas', stages=['pinas_embedded'], epochs=[6],
                   score_label='kNN top-1 of the supernet path (%)'),
    # One stage each: trained for the whole number of epochs whose passes come closest to the reference's.
    baselines=[dict(name='spos', stages=['spos_embedded'], score_label='top-1 of the supernet path (%)')],
    budgets=[1, 2, 4],  # multiples of the reference epochs; one point of the cost curves each
    # tools/zero_cost.py's tables for the same architectures (relative to the repository):
    # python tools/zero_cost.py pinas_resnest_tiny results/ground_truth/pinas_resnest_tiny.json --out DIR
    zero_cost='results/ranking/baselines/pinas_resnest_tiny',
    topk=[5, 10],  # top-k precision sizes of the report
    # The two held-out halves of a table's architectures (--split tune / report): a method's settings are chosen on
    # `tune` and reported on `report`; an architecture's half is a hash of its code and the seed.
    split=dict(tune=0.5, seed=0),
    control='flops',  # every row also gets a partial Kendall tau given FLOPs: what it ranks beyond size
)
