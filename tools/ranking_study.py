"""Benchmark: how well each supernet method ranks architectures, at equal compute and at several budgets, against
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

    python tools/benchmarks/ranking_methods.py configs/ranking/methods_track1.py \
        results/ground_truth/track1_resnet20.json                  # every budget of the config (1, 2, 4)
    python tools/benchmarks/ranking_methods.py track1 results/ground_truth/track1_resnet20.json --budget 1
    python tools/benchmarks/ranking_methods.py resnest results/ground_truth/pinas_resnest_tiny.json --epochs 6
    python tools/benchmarks/ranking_methods.py track1 results/ground_truth/track1_resnet20.json --plan

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

Every method is reported beside the zero-cost baselines of the same architectures (params, FLOPs, snip, synflow,
...; the tables tools/zero_cost.py writes, ``--zero-cost DIR``, by default the study config's ``zero_cost``) with
its margin in Kendall tau over the best of them (paired bootstrap CI):

    python tools/zero_cost.py track1_resnet20 results/ground_truth/track1_resnet20.json \
        --out results/ranking/baselines/track1_resnet20
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from mmengine.config import DictAction

from pinas.arch import ArchError
from pinas.ranking.ground_truth import seed_to_seed_tau
from pinas.ranking.metrics import MIN_CORRELATION_ITEMS, RankingInputError
from pinas.ranking.plot import plot_cost_curves, plot_ranking
from pinas.ranking.paired import PARTIAL
from pinas.ranking.report import format_seeded_study, format_study, nan_to_none, read_baselines
from pinas.ranking.study import (ARCH_SETS, STUDY_MARKDOWN, TAU, completed_budgets, count_passes, evaluate_runs,
                                 format_plan, load_study, parse_budget, plan_study, resolve_study_config,
                                 per_stage, run_name, run_plan, run_units, seed_records, seeded_curves, seeded_summary,
                                 split_archs, stage_settings_digest, study_names, truth_ceilings)
from pinas.ranking.tables import TableError, ranked_rows, read_table, table_code, table_space
from pinas.utils.cli import ArgumentParser, UsageError, cli_main, positive_int
from pinas.utils.files import atomic_write_bytes, atomic_write_json

ROOT = Path(__file__).resolve().parents[2]
GROUND_TRUTH_Y = 'stand-alone top-1 (%), mean of seeds'


def ceiling(ground_truth: Path, rows, archs: list[str], whole: bool, space=None) -> float | None:
    """Mean seed-to-seed Kendall tau of ``archs`` from the per-seed columns of the table's ``rows``
    (:func:`_json_rows`: tools/make_ground_truth.py's ``top1_seed<s>``); for the ``whole`` table, else the one
    recorded beside a table without them; None where neither is there (a half of a table without seed columns has
    no ceiling of its own)."""
    tau = seed_to_seed_tau(rows, archs, space)
    meta = ground_truth.with_suffix('.meta.json')
    if tau is not None or not whole or not meta.is_file():
        return tau
    taus = list(json.loads(meta.read_text())['seed_to_seed_kendall_tau'].values())
    return sum(taus) / len(taus)


def _interval(ci) -> str:
    """`` [low, high]``, or nothing where no interval was computed (fewer than 20 architectures)."""
    low, high = ci
    return '' if low is None or low != low else f' [{low:.3f}, {high:.3f}]'


def _json_rows(path: Path):
    """A JSON table's rows (None for a CSV table, which has no per-seed columns)."""
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def select_methods(plans: dict, study, names: list[str] | None) -> dict:
    """``plans`` with only the methods ``names`` (all for None)."""
    if not names:
        return plans
    known = [m.name for m in study.methods]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f'--methods: {", ".join(unknown)} not in the study {study.name} ({", ".join(known)})')
    return {budget: {m: run for m, run in runs.items() if m in names} for budget, runs in plans.items()}


def read_arch_list(path: Path, space=None) -> list[str]:
    """Architecture codes, one per line, keyed as tables key them (:func:`~pinas.ranking.tables.table_code`)."""
    if not path.is_file():
        raise UsageError(f'--score-also {path} does not exist; pass a list of codes, one per line (e.g. the '
                         '.archs.txt beside a ground truth tools/make_ground_truth.py is training)')
    try:
        return [table_code(line.strip(), space) for line in path.read_text().splitlines() if line.strip()]
    except ArchError as err:
        raise UsageError(f'--score-also {path}: {err}') from None


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
    parser.add_argument('--work-dir', default='work_dirs/benchmark_ranking')
    parser.add_argument('--out-dir', default='results/ranking')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
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
    args = parser.parse_args(argv)

    config = resolve_study_config(args.config)
    study = load_study(config)
    budgets = [parse_budget(b, '--budget') for b in args.budget] if args.budget else list(study.budgets)
    options = dict(args.cfg_options)
    if args.seed is not None and not args.train_only and not args.plan:
        raise UsageError('--seed trains one seed\'s runs: pass --train-only too (a report covers every seed whose '
                         'runs are there)')
    passes, settings = per_stage(count_passes, options), per_stage(stage_settings_digest, options)

    plans = select_methods(plan_study(study, budgets, args.epochs, passes, seed=args.seed, settings=settings),
                           study, args.methods)
    if args.plan:
        print(f'{study.name} ({config}): network passes per training image at equal compute')
        print(format_plan(plans))
        return 0
    truth_path = Path(args.ground_truth)
    space = table_space(truth_path)  # None for a table without a meta file: codes compared as Arch values
    truth = read_table(truth_path, space=space).values
    archs = split_archs(truth, **study.split)[args.split]
    if len(archs) < MIN_CORRELATION_ITEMS:
        where = str(truth_path) if args.split == 'all' else f'the {args.split} half of {truth_path}'
        raise RankingInputError(f'{where} holds {len(archs)} architectures; a correlation needs '
                                f'{MIN_CORRELATION_ITEMS}: '
                                f'{"use --split all or " if args.split != "all" else ""}a larger table')
    also = read_arch_list(Path(args.score_also), space) if args.score_also else []
    zero_cost_dir = Path(args.zero_cost or ROOT / study.zero_cost)
    baselines = {name: table.values for name, table in read_baselines(zero_cost_dir, space=space).items()}
    for name, values in baselines.items():
        missing = sorted(set(archs) - set(values))
        if missing:
            raise UsageError(f'{zero_cost_dir / name}.json lacks {len(missing)} of the {len(archs)} architectures '
                             f'(e.g. {missing[0]}): make the baselines of this table with tools/zero_cost.py SPACE '
                             f'{args.score_also or truth_path} --out {zero_cost_dir}')
    if baselines and study.control and study.control not in baselines:
        raise UsageError(f'the study\'s control baseline {study.control!r} has no table in {zero_cost_dir}: make it '
                         f'with tools/zero_cost.py SPACE {args.score_also or truth_path} --proxies {study.control} '
                         f'--out {zero_cost_dir}')
    scored = sorted(set(truth) | set(also))
    out_dir = Path(args.out_dir) / study.name
    records = run_plan(plans, scored, out_dir, Path(args.work_dir) / study.name, options)
    if args.train_only:
        print(f'trained: {", ".join(run.name for runs in plans.values() for run in runs.values())}; run files in '
              f'{out_dir}')
        return 0
    # Every other budget of the config whose runs are all there joins the report (and the curves).
    others = select_methods(plan_study(study, [b for b in study.budgets if b not in plans], args.epochs, passes,
                                       settings=settings), study, args.methods)
    records = dict(sorted({**records, **completed_budgets(others, sorted(truth), out_dir, options)}.items()))
    report_dir = out_dir if args.split == 'all' else out_dir / args.split

    topk = [k for k in study.topk if isinstance(k, float) or k <= len(archs)]  # a small half has no top-10
    if len(topk) < len(study.topk):
        print(f'top-k sizes {[k for k in study.topk if k not in topk]} left out: only {len(archs)} architectures')
    result = evaluate_runs(records, {a: truth[a] for a in archs}, baselines, topk, study.reference.name,
                           study.control)
    rows = _json_rows(truth_path)  # read once: both references come from its seed columns
    seed_tau = ceiling(truth_path, rows, archs, whole=args.split == 'all', space=space)
    ceilings = truth_ceilings(rows, archs, space)
    noise_ceiling = ceilings['noise_ceiling']['value'] if ceilings else None
    by_seed = seed_records(study, records, scored, out_dir, options, args.epochs, passes, settings)
    seeded = seeded_summary(by_seed, {a: truth[a] for a in archs}, baselines, study.control,
                            [m.name for m in study.methods])
    labels = {m.name: m.score_label for m in study.methods}
    for budget, runs in by_seed.items():
        for method, seeds in runs.items():
            for record in seeds[1:]:  # the other seeds' tables (the first's are written below, with its plot)
                atomic_write_json(out_dir / f'{run_name(method, budget, record["seed"])}_scores.json',
                                  ranked_rows(record['scores']))
    for budget, runs in records.items():
        for method, record in runs.items():
            name = plans.get(budget, others.get(budget))[method].name
            atomic_write_json(out_dir / f'{name}_scores.json', ranked_rows(record['scores']))
            plot_ranking([record['scores'][a] for a in archs], [truth[a] for a in archs],
                         result['metrics'][budget][method],
                         report_dir / f'{name}.png', xlabel=labels[method], ylabel=GROUND_TRUTH_Y,
                         title=f'{method}, epochs {record["epochs"]} ({record["units"]} passes per image), '
                               f'{study.name} space')
    report = dict(config=str(config), study=study.name, reference=study.reference.name,
                  ground_truth=str(truth_path), archs=args.split, split=dict(study.split), num_archs=len(archs),
                  seed_to_seed_tau=seed_tau, ceilings=ceilings, seeded=seeded,
                  budgets=result['budgets'],
                  cost_curves={m: [dict(units=u, value=v, ci=[lo, hi]) for u, v, lo, hi in points]
                               for m, points in seeded_curves(seeded).items()})
    if baselines:
        report['zero_cost'] = dict(dir=str(zero_cost_dir), baselines=result['zero_cost'])
    report = nan_to_none(report)
    atomic_write_json(report_dir / 'report.json', report)
    atomic_write_bytes(report_dir / STUDY_MARKDOWN, format_seeded_study(report).encode())
    baseline_taus = {name: row['metrics'][TAU]['value'] for name, row in result['zero_cost'].items()}
    half = '' if args.split == 'all' else f' of the {args.split} half'
    lines = {'seed-to-seed tau': seed_tau, 'noise ceiling': noise_ceiling}
    plot_cost_curves(seeded_curves(seeded), report_dir / 'cost_curves.png', baseline_taus, lines,
                     title=f'{study.name}: ranking vs compute ({len(archs)} archs{half})\nmean over supernet seeds, '
                           '95% CI over architectures and seeds')

    partial_plot = report_dir / 'cost_curves_partial.png' if study.control and baselines else None
    if partial_plot:  # the same curves, ranking beyond what the control baseline ranks
        partial_taus = {name: row['partial_kendall_tau_b']['value'] for name, row in result['zero_cost'].items()
                        if 'partial_kendall_tau_b' in row}
        plot_cost_curves(seeded_curves(seeded, PARTIAL), partial_plot,
                         partial_taus, ylabel=f'partial Kendall τ-b given {study.control}',
                         title=f'{study.name}: ranking beyond {study.control} vs compute ({len(archs)} archs{half})\n'
                               'mean over supernet seeds, 95% CI over architectures and seeds')
    print(format_seeded_study(report))
    if not baselines:
        print(f'no zero-cost baselines in {zero_cost_dir}: make them with tools/zero_cost.py SPACE '
              f'{truth_path} --out {zero_cost_dir}')
    for budget, runs in records.items():
        entry = result['budgets'][f'{budget:g}']
        print(f'\nbudget x{budget:g}: {entry["reference_units"]} network passes per training image '
              f'(those of {study.reference.name}; every baseline the nearest whole epoch)')
        if budget in result['rows']:
            print(format_study(result['rows'][budget], noise_ceiling,
                               {m: run_units(r) for m, r in runs.items()}))
        width = max(8, *(len(m) + 2 for m in entry['methods']))
        print(f'{"method":<{width}}{"epochs":>12}{"passes":>8}{"measured":>9}{"train s":>9}{"score s":>9}'
              '   metrics (95% bootstrap CI)')
        for method, row in entry['methods'].items():
            text = '; '.join(f'{name} {m["value"]:.3f}{_interval(m["ci"])}' for name, m in row['metrics'].items())
            epochs = '+'.join(str(e) for e in row['epochs'])
            print(f'{method:<{width}}{epochs:>12}{row["units"]:>8}{row.get("units_measured", "-"):>9}'
                  f'{row["train_seconds"]:>9}{row["score_seconds"]:>9}'
                  f'   {text}')
    extra_plot = f' and {partial_plot}' if partial_plot else ''
    print(f'\ncost curves: {report_dir / "cost_curves.png"}{extra_plot}; report: {report_dir / "report.json"}, '
          f'rendered: {report_dir / STUDY_MARKDOWN}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
