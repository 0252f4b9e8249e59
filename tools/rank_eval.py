"""Ranking correlation of proxy scores against ground truth: Kendall tau-b, Spearman, Pearson, top-k precision.

    python tools/rank_eval.py work_dirs/search/ranked.json gt.json
    python tools/rank_eval.py scores.csv track1_gt_first_1000.json --topk 10 0.05 10% --bootstrap 2000 \\
        --out rank.json --plot rank.png
    python tools/rank_eval.py scores.json nas-bench-macro_cifar10.json --gt-key mean_acc

Tables: ranked JSON (list of {"arch", "score", ...}), CSV with arch/score columns, plain {arch: value} JSON, or
keyed records such as the Track-1 ground truth {"archN": {"acc": ..., "arch": "16-4-..."}}. Architectures are
matched by normalised code. Higher must be better in both tables (negate losses first).

Small samples: below 5 matched architectures no metric is reported (the output says "n too small"); below 20 the
metrics have no bootstrap interval (unreliable on so few) and Kendall tau-b gets a two-sided permutation p-value,
exact over all n! orders up to 8 architectures, else from 100000 seeded random orders with its standard error.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pinas.utils.cli import ArgumentParser, UsageError, cli_main, writable_file
from pinas.ranking import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_TOPK, RankingInputError, RankingReport,
                           TableError, join_tables, read_table, save_report)
from pinas.ranking.metrics import RankingEvidence, check_bootstrap_settings, ranking_evidence


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


def evaluate(args) -> tuple[RankingReport, RankingEvidence]:
    """Read and join the tables, then the metrics under the small-sample rules of
    :func:`pinas.ranking.metrics.ranking_evidence`; what they left out is said in the report's extra fields."""
    scores, truth = read_table(args.scores, args.score_key), read_table(args.ground_truth, args.gt_key)
    joined = join_tables(scores, truth)
    evidence = ranking_evidence(joined.scores, joined.truth, args.topk, args.bootstrap, args.seed, args.confidence)
    extra = {}
    if evidence.skipped:
        extra['skipped'] = evidence.skipped
    if evidence.permutation is not None:
        extra['kendall_tau_b_permutation'] = evidence.permutation.as_dict()
    if evidence.note:
        extra['note'] = evidence.note
    report = RankingReport(scores, truth, joined, list(evidence.metrics), args.bootstrap, args.seed,
                           args.confidence, extra)
    return report, evidence


def format_small(report: RankingReport, evidence: RankingEvidence) -> str:
    """The report where no bootstrap ran because n is small: the header, the point values (if any) and why."""
    lines = [report._header()]
    if report.metrics:
        lines.append(f'{"metric":<18} {"value":>8} {"k":>6}')
        lines += [f'{m.name:<18} {m.value:>8.4f} {"" if m.k is None else m.k:>6}' for m in report.metrics]
    lines.append(evidence.note)
    return '\n'.join(lines)


@cli_main(TableError, RankingInputError)
def main(argv=None) -> int:
    args = parse_args(argv)
    check_bootstrap_settings(args.bootstrap, args.confidence)  # a bad option fails before any file is read
    if args.plot:
        check_plot_format(args.plot)
        writable_file(args.plot, '--plot', example='ranking.png')
    if args.out:
        writable_file(args.out, '--out', example='metrics.json')
    report, evidence = evaluate(args)
    print(format_small(report, evidence) if evidence.note else report.format())
    if args.out:
        print(f'metrics written to {save_report(report, args.out)}')
    if args.plot:
        from pinas.ranking.plot import plot_ranking
        path = plot_ranking(report.joined.scores, report.joined.truth, report.metrics, args.plot,
                            xlabel=f'proxy {report.scores.key or "score"}',
                            ylabel=f'ground truth {report.truth.key or "value"}', title=evidence.skipped)
        print(f'plot written to {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
