"""Ranking correlation of proxy scores against ground truth: Kendall tau-b, Spearman, Pearson, top-k precision.

    python tools/rank_eval.py work_dirs/search/ranked.json gt.json
    python tools/rank_eval.py scores.csv track1_gt_first_1000.json --topk 10 0.05 10% --bootstrap 2000 \\
        --out rank.json --plot rank.png
    python tools/rank_eval.py scores.json nas-bench-macro_cifar10.json --gt-key mean_acc

Tables: ranked JSON (list of {"arch", "score", ...}), CSV with arch/score columns, plain {arch: value} JSON, or
keyed records such as the Track-1 ground truth {"archN": {"acc": ..., "arch": "16-4-..."}}. Architectures are
matched by normalised code. Higher must be better in both tables (negate losses first).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pinas.utils.cli import ArgumentParser, UsageError, cli_main
from pinas.ranking import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_TOPK, RankingInputError, TableError,
                           evaluate_tables, save_report)


def parse_topk(text: str):
    """``10`` is a count, ``0.1`` or ``10%`` a fraction of the matched architectures."""
    try:
        if text.endswith('%'):
            return float(text[:-1]) / 100
        return float(text) if '.' in text else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'top-k {text!r} must be a count (10), a fraction (0.1) or a percentage '
                                         f'(10%)') from None


def check_plot_format(path: str) -> None:
    """Refuse a plot file whose suffix matplotlib cannot write, before anything is computed or written."""
    from matplotlib.figure import Figure
    formats = Figure().canvas.get_supported_filetypes()
    suffix = Path(path).suffix.lstrip('.').lower()
    if suffix not in formats:
        raise UsageError(f'--plot {path}: matplotlib writes no {suffix or "suffix-less"} files; end the name with '
                         f'one of .{", .".join(sorted(formats))}')


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('scores', help='table of proxy scores (e.g. ranked.json written by the search)')
    parser.add_argument('ground_truth', help='table of ground-truth accuracies')
    parser.add_argument('--out', help='write the metrics as JSON to this file')
    parser.add_argument('--plot', help='write a score-vs-ground-truth scatter (PNG/PDF/SVG) to this file')
    parser.add_argument('--topk', nargs='+', type=parse_topk, default=list(DEFAULT_TOPK),
                        help='top-k precision sizes: counts (10), fractions (0.1) or percentages (10%%); '
                             f'default {" ".join(str(k) for k in DEFAULT_TOPK)}')
    parser.add_argument('--bootstrap', type=int, default=DEFAULT_BOOTSTRAP,
                        help='bootstrap resamples for the confidence intervals (0: none)')
    parser.add_argument('--confidence', type=float, default=DEFAULT_CONFIDENCE, help='confidence level of the CIs')
    parser.add_argument('--seed', type=int, default=0, help='seed of the bootstrap resampling')
    parser.add_argument('--score-key', help='value field of the scores table (default: "score" or the only '
                                            'numeric field)')
    parser.add_argument('--gt-key', help='value field of the ground-truth table (e.g. acc, mean_acc)')
    return parser.parse_args(argv)


@cli_main(TableError, RankingInputError)
def main(argv=None) -> int:
    args = parse_args(argv)
    if args.plot:
        check_plot_format(args.plot)
    report = evaluate_tables(args.scores, args.ground_truth, args.topk, args.bootstrap, args.seed,
                             args.confidence, args.score_key, args.gt_key)
    print(report.format())
    if args.out:
        print(f'metrics written to {save_report(report, args.out)}')
    if args.plot:
        from pinas.ranking.plot import plot_ranking
        path = plot_ranking(report.joined.scores, report.joined.truth, report.metrics, args.plot,
                            xlabel=f'proxy {report.scores.key or "score"}',
                            ylabel=f'ground truth {report.truth.key or "value"}')
        print(f'plot written to {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
