"""Benchmark: how well each supernet method ranks architectures, at equal compute, against ground truth.

Two studies on the embedded default, each against the ground-truth table of its space (tools/make_ground_truth.py):

* ``resnest``: Pi-NAS vs SPOS on the tiny Pi-NAS ResNeSt space (``pinas_resnest_tiny``);
* ``track1``: CEPT (candidates enhancement + progressive training, 4 chained steps) vs SPOS vs Pi-NAS on the
  Track-1 space, all three over the same supernet class (CEPT with its enhancement, the other two without).

Each method trains its embedded configs (cosine schedule over the benchmark's epochs), then scores every
architecture of the table with its config's ``search`` section: precise-BN recalibration of the path, then kNN
top-1 (Pi-NAS, unsupervised) or top-1 (supervised supernets). The scores are compared with the stand-alone
accuracies (Kendall tau-b, Spearman, Pearson, top-k, bootstrap CIs); the table's seed-to-seed tau is printed as the
ceiling.

Equal compute is counted in network passes per batch (forward = 1, forward + backward = 3): SPOS 3; Pi-NAS 2
training passes + 2 teacher forwards = 8; CEPT step 1 (max path) 3, step 2 (max path 3 + 5 watched forwards + 8
paths x 3) 32 plus max-recover's extra passes (not counted: at most 5 x 4), steps 3-4 (teacher forward 1 + 8 x 3)
25. A run's budget is the sum over its stages of passes per batch x epochs, i.e. network passes per training
image; the reference method's epochs come from the command line and every baseline trains as many epochs as that
budget allows. Measured training times are printed too.

    python tools/benchmarks/ranking_methods.py resnest results/ground_truth/pinas_resnest_tiny.json --epochs 6
    python tools/benchmarks/ranking_methods.py track1 results/ground_truth/track1_resnet20.json --epochs 1 1 1 1

Writes under ``<out-dir>/<study>/``: ``<method>_scores.json`` (ranked table, readable by tools/rank_eval.py),
``<method>_run.json`` (scores, epochs, timings), ``<method>.png`` (score against ground truth) and ``report.json``.
A method whose run file exists is not trained again, so a rerun against an updated table only recomputes metrics.

Every method is reported beside the zero-cost baselines of the same architectures (params, FLOPs, snip, synflow,
...; the tables tools/zero_cost.py writes, ``--zero-cost DIR``, by default the study's directory under
results/ranking/baselines/) with its margin in Kendall tau over the best of them (paired bootstrap CI):

    python tools/zero_cost.py track1_resnet20 results/ground_truth/track1_resnet20.json \
        --out results/ranking/baselines/track1_resnet20
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

from mmengine.config import DictAction

from pinas.apis import build_supernet_runner, load_config
from pinas.apis.search import build_scorer
from pinas.engine import unwrap_model
from pinas.ranking.metrics import ranking_metrics
from pinas.ranking.plot import plot_ranking
from pinas.ranking.report import compare_with_baselines, format_study, read_baselines
from pinas.ranking.tables import read_table
from pinas.utils.files import atomic_write_json

ROOT = Path(__file__).resolve().parents[2]
TOPK = (5, 10)


@dataclass(frozen=True)
class Stage:
    config: str  # under configs/search/
    units_per_batch: int


@dataclass(frozen=True)
class Method:
    name: str
    stages: tuple[Stage, ...]
    score_label: str


@dataclass(frozen=True)
class Study:
    reference: Method  # trained for the epochs given on the command line, one count per stage
    baselines: tuple[Method, ...]  # one stage each, trained for as many network passes as the reference
    zero_cost: str = ''  # tools/zero_cost.py's tables for the study's ground truth (relative to the repository)


TOP1 = 'top-1 of the supernet path (%)'
KNN = 'kNN top-1 of the supernet path (%)'
STUDIES = {
    'resnest': Study(Method('pinas', (Stage('pinas_embedded', 8),), KNN),
                     (Method('spos', (Stage('spos_embedded', 3),), TOP1),),
                     'results/ranking/baselines/pinas_resnest_tiny'),
    'track1': Study(Method('cept', (Stage('cept_embedded', 3), Stage('cept_embedded_step2', 32),
                                    Stage('cept_embedded_step3', 25), Stage('cept_embedded_step4', 25)), TOP1),
                    (Method('spos', (Stage('spos_track1_embedded', 3),), TOP1),
                     Method('pinas', (Stage('pinas_track1_embedded', 8),), KNN)),
                    'results/ranking/baselines/track1_resnet20'),
}


def train_and_score(stages: list[tuple[Stage, int]], archs: list[str], work_dir: Path, cfg_options: dict) -> dict:
    """Train the chained stages (each from the previous one's work dir) and score ``archs`` with the last."""
    train_seconds, previous = 0.0, None
    for stage, epochs in stages:
        options = {**cfg_options, 'train_cfg.max_epochs': epochs}  # the cosine schedule follows max_epochs
        if previous is not None:
            options['model.init_from'] = str(previous)
        previous = work_dir / stage.config
        cfg = load_config(str(ROOT / f'configs/search/{stage.config}.py'), cfg_options=options, work_dir=str(previous))
        runner = build_supernet_runner(cfg)
        start = time.perf_counter()
        runner.train()
        train_seconds += time.perf_counter() - start
    model = unwrap_model(runner.model)
    model.eval()
    scorer = build_scorer(model, cfg.search)
    start = time.perf_counter()
    scores = {code: scorer(model.space.parse(code)) for code in archs}
    return dict(epochs=[e for _, e in stages], units=sum(s.units_per_batch * e for s, e in stages),
                train_seconds=round(train_seconds, 1), score_seconds=round(time.perf_counter() - start, 1),
                scores=scores)


def ceiling(ground_truth: Path) -> float | None:
    """Mean seed-to-seed Kendall tau recorded beside the ground-truth table, if any."""
    meta = ground_truth.with_suffix('.meta.json')
    if not meta.is_file():
        return None
    taus = list(json.loads(meta.read_text())['seed_to_seed_kendall_tau'].values())
    return sum(taus) / len(taus)


def plan(study: Study, epochs: list[int]) -> dict[str, list[tuple[Stage, int]]]:
    """Epochs per stage of the reference method and of each equal-compute baseline."""
    stages = study.reference.stages
    if len(epochs) != len(stages):
        raise SystemExit(f'error: {study.reference.name} has {len(stages)} stages '
                         f'({", ".join(s.config for s in stages)}); pass one --epochs value per stage')
    units = sum(s.units_per_batch * e for s, e in zip(stages, epochs))
    runs = {m.name: [(m.stages[0], max(1, round(units / m.stages[0].units_per_batch)))] for m in study.baselines}
    return {**runs, study.reference.name: list(zip(stages, epochs))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('study', choices=sorted(STUDIES))
    parser.add_argument('ground_truth', help='ranked ground-truth table of the study\'s space')
    parser.add_argument('--epochs', type=int, nargs='+', default=[6],
                        help='epochs of each stage of the studied method (Pi-NAS: 1 stage, CEPT: 4)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_ranking')
    parser.add_argument('--out-dir', default='results/ranking')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='overrides applied to every trained config (e.g. a smaller dataset for a dry run)')
    parser.add_argument('--zero-cost', help='directory of the zero-cost baseline tables (tools/zero_cost.py); '
                                            'default: the study\'s, under results/ranking/baselines/')
    args = parser.parse_args(argv)
    study = STUDIES[args.study]
    truth_path = Path(args.ground_truth)
    truth = read_table(truth_path).values
    archs = sorted(truth)
    out_dir = Path(args.out_dir) / args.study
    report = dict(ground_truth=str(truth_path), num_archs=len(archs), seed_to_seed_tau=ceiling(truth_path),
                  methods={})
    labels = {m.name: m.score_label for m in (study.reference, *study.baselines)}
    for method, stages in plan(study, args.epochs).items():
        run_path = out_dir / f'{method}_run.json'
        run = json.loads(run_path.read_text()) if run_path.is_file() else None
        if run is None or not set(archs) <= set(run['scores']):  # no run yet, or one over other architectures
            run = train_and_score(stages, archs, Path(args.work_dir) / args.study, args.cfg_options)
            atomic_write_json(run_path, run)
        atomic_write_json(out_dir / f'{method}_scores.json', sorted(
            ({'arch': a, 'score': s} for a, s in run['scores'].items()), key=lambda r: -r['score']))
        scores, values = [run['scores'][a] for a in archs], [truth[a] for a in archs]
        metrics = ranking_metrics(scores, values, topk=TOPK)
        plot_ranking(scores, values, metrics, out_dir / f'{method}.png', xlabel=labels[method],
                     ylabel='stand-alone top-1 (%), mean of seeds',
                     title=f'{method}, epochs {run["epochs"]} ({run["units"]} passes per image), {args.study} space')
        report['methods'][method] = dict(run, metrics={m.name: m.as_dict() for m in metrics})
    zero_cost_dir = Path(args.zero_cost or ROOT / study.zero_cost)
    baselines = {name: table.values for name, table in read_baselines(zero_cost_dir).items()}
    if baselines:
        methods = {m: {a: row['scores'][a] for a in archs} for m, row in report['methods'].items()}
        rows = compare_with_baselines(methods, baselines, {a: truth[a] for a in archs}, topk=TOPK)  # CIs as above
        report['zero_cost'] = dict(dir=str(zero_cost_dir), baselines={r.name: r.as_dict() for r in rows
                                                                      if r.is_baseline})
        for r in rows:
            if not r.is_baseline:
                report['methods'][r.name]['margin_over_best_baseline'] = dict(r.margin.as_dict(), name=r.margin.name)
    atomic_write_json(out_dir / 'report.json', report)
    print(f'{len(archs)} architectures of {truth_path}; seed-to-seed Kendall tau (ceiling): '
          f'{report["seed_to_seed_tau"]}')
    if baselines:
        print(format_study(rows, report['seed_to_seed_tau']))
    else:
        print(f'no zero-cost baselines in {zero_cost_dir}: make them with tools/zero_cost.py SPACE '
              f'{truth_path} --out {zero_cost_dir}')
    print(f'{"method":<8}{"epochs":>12}{"passes":>8}{"train s":>9}{"score s":>9}   metrics (95% bootstrap CI)')
    for method, row in report['methods'].items():
        text = '; '.join(f'{name} {m["value"]:.3f} [{m["ci"][0]:.3f}, {m["ci"][1]:.3f}]'
                         for name, m in row['metrics'].items())
        epochs = '+'.join(str(e) for e in row['epochs'])
        print(f'{method:<8}{epochs:>12}{row["units"]:>8}{row["train_seconds"]:>9}{row["score_seconds"]:>9}   {text}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
