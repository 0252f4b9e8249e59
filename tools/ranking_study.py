"""Ranking study: how well each supernet method ranks architectures, at equal compute and at several budgets, against
ground truth.

A study is a config under configs/ranking/ (``methods_<study>.py``): the reference method and the baseline
methods with their stages (search configs), score labels, the reference's epochs per stage, the budgets (multiples
of those epochs), the zero-cost baseline tables and the top-k sizes. Two studies on the embedded default, each
against the ground-truth table of its space (tools/make_ground_truth.py):

* ``resnest``: Pi-NAS vs SPOS on the tiny Pi-NAS ResNeSt space (``pinas_resnest_tiny``);
* ``track1``: CEPT (candidates enhancement + progressive training, 4 chained steps) vs SPOS vs Pi-NAS on the
  Track-1 space, all three over the same supernet class (CEPT with its enhancement, the other two without).

Each method trains its search configs (cosine schedule over its epochs), then scores every architecture of the
table with its last config's ``search`` section: precise-BN recalibration of the path, then kNN top-1 (Pi-NAS,
unsupervised) or top-1 (supervised supernets). The scores are compared with the stand-alone accuracies (Kendall
tau-b, Spearman, Pearson, top-k, bootstrap CIs); the table's seed-to-seed tau is printed as the ceiling.

Equal compute is counted in network passes per training image: per stage, the passes per batch its algorithm
reports (``passes_per_batch`` of the model built from the config, with --cfg-options; forward 1, forward +
backward 3: SPOS 3; Pi-NAS 2 x (3 + a teacher forward) = 8; CEPT step 1 (max path) 3, step 2 (max path 3 + 5
watched forwards + 8 paths x 3 + 5 second looks) 37, plus 3 per path max-recover back-propagates (at most 52),
steps 3-4 (teacher forward 1 + 8 x 3) 25) times its epochs. At budget K the reference trains K x its epochs per
stage and every baseline as many epochs as that many passes allow; every budget is one point of the cost curves.
Measured training times are printed too.

    python tools/ranking_study.py configs/ranking/methods_track1.py \
        results/ground_truth/track1_resnet20.json                  # every budget of the config (1, 2, 4)
    python tools/ranking_study.py track1 results/ground_truth/track1_resnet20.json --budget 1
    python tools/ranking_study.py resnest results/ground_truth/pinas_resnest_tiny.json --epochs 6
    python tools/ranking_study.py track1 results/ground_truth/track1_resnet20.json --plan

(a study's name stands for configs/ranking/methods_<name>.py; --epochs replaces the reference's epochs per stage;
--plan prints the epochs and passes of every run and trains nothing.)

Writes under ``<out-dir>/<study>/``, per method and budget (``<run>`` is ``<method>`` at budget 1 and
``<method>_x<K>`` at budget K): ``<run>_scores.json`` (ranked table, readable by tools/rank_eval.py),
``<run>_run.json`` (scores, epochs, passes, timings), ``<run>.png`` (score against ground truth); and
``report.json`` (metrics per budget) and ``cost_curves.png`` (Kendall tau with its CI against passes per image,
one line per method, the zero-cost baselines dashed, the seed-to-seed ceiling dotted; with the study's ``control``
also ``cost_curves_partial.png``, the partial tau given that baseline). A run whose run file
scores every architecture with the planned epochs (and stages, passes per batch and --cfg-options, where the file
records them) is not trained again, so an interrupted study resumes and a rerun against an updated table only
recomputes metrics. The report covers the budgets asked for and every other budget of the config whose runs are
all there.

With ``--transfer NAME=TABLE`` (a transfer ground truth of the same architectures, each pretrained stand-alone
and fine-tuned on a detection or segmentation task), the report also ranks every method and baseline against it,
gives the tau between the two ground truths, each row's paired change from classification to transfer, and for
every two methods at one budget the difference of their changes (does one lose less than the other?):

    python tools/ranking_study.py track1 results/ground_truth/track1_resnet20_e10.json --split report \
        --transfer ade_miou=results/ground_truth/track1_transfer_ade.json

Every method is reported beside the zero-cost baselines of the same architectures (params, FLOPs, snip, synflow,
...; the tables tools/zero_cost.py writes, ``--zero-cost DIR``, by default the study config's ``zero_cost``) with
its margin in Kendall tau over the best of them (paired bootstrap CI):

    python tools/zero_cost.py track1_resnet20 results/ground_truth/track1_resnet20.json \
        --out results/ranking/baselines/track1_resnet20
"""
from __future__ import annotations

import argparse


from pinas.apis.runner import CfgOptionsAction
from pinas.ranking.metrics import RankingInputError
from pinas.ranking.tables import TableError
from pinas.studies.methods import DEFAULT_OUT_DIR, DEFAULT_WORK_DIR, run_study
from pinas.studies.study import ARCH_SETS, study_names
from pinas.utils.cli import ArgumentParser, cli_main, positive_int


@cli_main(TableError, RankingInputError)
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='study config (configs/ranking/methods_*.py) or a study\'s name '
                                       f'({", ".join(study_names())})')
    parser.add_argument('ground_truth', help='ranked ground-truth table of the study\'s space')
    parser.add_argument('--budget', nargs='+', metavar='K',
                        help='budgets to train, multiples of the reference epochs (default: every budget of the '
                             'config)')
    parser.add_argument('--methods', nargs='+', metavar='NAME',
                        help='train and report only these methods of the study (default: all; the budgets are '
                             'still those of the reference method)')
    parser.add_argument('--epochs', type=positive_int, nargs='+',
                        help='epochs of each stage of the reference method at budget 1 (default: the config\'s; '
                             'Pi-NAS: 1 stage, CEPT: 4)')
    parser.add_argument('--work-dir', default=DEFAULT_WORK_DIR)
    parser.add_argument('--out-dir', default=DEFAULT_OUT_DIR)
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction, default={},
                        help='overrides applied to every trained config (e.g. a smaller dataset for a dry run); '
                             'the passes per batch are counted with them')
    parser.add_argument('--zero-cost', help='directory of the zero-cost baseline tables (tools/zero_cost.py); '
                                            'default: the study config\'s zero_cost')
    parser.add_argument('--score-also', metavar='ARCHS_TXT',
                        help='architectures to score beside the table\'s (one code per line, e.g. the .archs.txt '
                             'tools/make_ground_truth.py writes), so that the runs still stand once a ground truth '
                             'that is still training has them all')
    parser.add_argument('--split', choices=ARCH_SETS, default='all',
                        help='report on every architecture of the table, or on one of the two held-out halves of '
                             'the config\'s split: `tune` to choose a method\'s settings, `report` to report them '
                             '(runs always score every architecture; a half\'s report goes to '
                             '<out-dir>/<study>/<half>/)')
    parser.add_argument('--seed', type=int, metavar='S',
                        help='train the runs of this supernet seed (one of the config\'s seeds; default its first) '
                             'at the budgets that train it (the config\'s seeded_budgets); with --train-only, so '
                             'that seeds can train in parallel processes')
    parser.add_argument('--train-only', action='store_true',
                        help='train and score the runs, write their run files and stop (no report): one shard of a '
                             'study run in several processes; the report is made by a run without it')
    parser.add_argument('--plan', action='store_true', help='print the epochs and passes of every run and exit')
    parser.add_argument('--transfer', nargs='+', metavar='NAME=TABLE', default=[],
                        help='transfer ground truths of the same architectures (tools/make_ground_truth.py '
                             '--from-records): every method and baseline is also ranked against each, with its '
                             'paired change from the classification ground truth (report section "Against '
                             'transfer", plot transfer_vs_<NAME>.png)')
    args = parser.parse_args(argv)
    transfer = {}
    for item in args.transfer:
        name, sep, table = item.partition('=')
        if not sep or not name or not table:
            parser.error(f'--transfer {item!r}: give NAME=TABLE, e.g. ade_miou=results/ground_truth/'
                         'track1_transfer_ade.json')
        if name in transfer:
            parser.error(f'--transfer {name} is given twice; give each name once')
        transfer[name] = table
    run_study(args.config, args.ground_truth, budgets=args.budget, methods=args.methods, epochs=args.epochs,
              work_dir=args.work_dir, out_dir=args.out_dir, cfg_options=args.cfg_options, zero_cost=args.zero_cost,
              score_also=args.score_also, split=args.split, seed=args.seed, train_only=args.train_only,
              plan=args.plan, transfer=transfer)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
