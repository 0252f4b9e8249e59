"""Benchmark: how well SPOS and Pi-NAS supernets rank architectures, at equal compute, against ground truth.

Each method trains its embedded-default supernet, then scores every architecture of the ground-truth table with
its config's scorer (precise-BN recalibration + kNN / top-1), and the scores are compared with the stand-alone
accuracies (Kendall tau-b, Spearman, top-k, bootstrap CIs). Equal compute is counted in network passes: a Pi-NAS
step is 2 training passes (forward + backward = 3 units each) plus 2 teacher forwards (1 unit each) = 8 units per
batch, an SPOS step 3 units, so SPOS trains 8/3 as many epochs. Measured training times are printed too.

    python tools/benchmarks/ranking_methods.py results/ground_truth/pinas_resnest_tiny.json --pinas-epochs 6
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mmengine.model import is_model_wrapper

from pinas.apis import build_runner, load_config
from pinas.apis.search import build_scorer
from pinas.ranking.metrics import ranking_metrics
from pinas.ranking.tables import read_table

ROOT = Path(__file__).resolve().parents[2]
UNITS_PER_BATCH = dict(pinas=8, spos=3)


def score_method(name: str, epochs: int, archs: list[str], work_dir: Path) -> tuple[dict, float]:
    cfg = load_config(str(ROOT / f'configs/search/{name}_embedded.py'), {'train_cfg.max_epochs': epochs},
                      work_dir=str(work_dir / name))
    runner = build_runner(cfg)
    start = time.perf_counter()
    runner.train()
    seconds = time.perf_counter() - start
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    model.eval()
    scorer = build_scorer(model, cfg.search)
    return {code: scorer(model.space.arch(code)) for code in archs}, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('ground_truth', help='ranked ground-truth table of the pinas_resnest_tiny space')
    parser.add_argument('--pinas-epochs', type=int, default=6)
    parser.add_argument('--work-dir', default='work_dirs/benchmark_ranking')
    parser.add_argument('--out', help='write the scores and metrics as JSON')
    args = parser.parse_args(argv)
    truth = read_table(args.ground_truth).values
    archs = sorted(truth)
    epochs = dict(pinas=args.pinas_epochs,
                  spos=round(args.pinas_epochs * UNITS_PER_BATCH['pinas'] / UNITS_PER_BATCH['spos']))
    report = {}
    for method in ('spos', 'pinas'):
        scores, seconds = score_method(method, epochs[method], archs, Path(args.work_dir))
        metrics = ranking_metrics([scores[a] for a in archs], [truth[a] for a in archs], topk=(5, 10))
        report[method] = dict(epochs=epochs[method], train_seconds=round(seconds, 1), scores=scores,
                              metrics={m.name: m.as_dict() for m in metrics})
    print(f'{len(archs)} architectures of {args.ground_truth}')
    print(f'{"method":<8}{"epochs":>7}{"train s":>9}   metrics (95% bootstrap CI)')
    for method, row in report.items():
        text = '; '.join(f'{name} {m["value"]:.3f} [{m["ci"][0]:.3f}, {m["ci"][1]:.3f}]'
                         for name, m in row['metrics'].items())
        print(f'{method:<8}{row["epochs"]:>7}{row["train_seconds"]:>9}   {text}')
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
