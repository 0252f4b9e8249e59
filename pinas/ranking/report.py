"""Compare a score table with a ground-truth table: join, compute the metrics, format and save them; and compare
several methods with the zero-cost baselines on the same architectures (:func:`compare_with_baselines`).

This is the library behind ``tools/rank_eval.py`` and ``tools/ranking_study.py``; call
:func:`evaluate_tables` directly from Python.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from .metrics import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_SEED, DEFAULT_TOPK, MetricResult,
                      RankingInputError, TopK, bootstrap_ci, kendall_rows, kendall_tau_b, partial_kendall_rows,
                      partial_kendall_tau, ranking_metrics)
from .tables import JoinedTables, Table, join_tables, read_table


@dataclass
class RankingReport:
    """Everything rank_eval prints and saves."""

    scores: Table
    truth: Table
    joined: JoinedTables
    metrics: list[MetricResult]
    bootstrap: int
    seed: int
    confidence: float
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(
            scores=dict(path=self.scores.path, format=self.scores.format, key=self.scores.key, rows=len(self.scores)),
            ground_truth=dict(path=self.truth.path, format=self.truth.format, key=self.truth.key,
                              rows=len(self.truth)),
            matched=self.joined.n_matched, bootstrap=self.bootstrap, seed=self.seed, confidence=self.confidence,
            metrics={m.name: m.as_dict() for m in self.metrics}, **self.extra)

    def format(self) -> str:
        return format_metrics(self.metrics, self.confidence, self.bootstrap, header=self._header())

    def _header(self) -> str:
        return (f'scores: {self.scores.path} ({len(self.scores)} rows, key {self.scores.key or "-"})\n'
                f'ground truth: {self.truth.path} ({len(self.truth)} rows, key {self.truth.key or "-"})\n'
                f'matched architectures: {self.joined.n_matched}')


def evaluate_tables(scores_path, truth_path, topk: Iterable[TopK] = DEFAULT_TOPK,
                    bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                    confidence: float = DEFAULT_CONFIDENCE, score_key: str | None = None,
                    truth_key: str | None = None) -> RankingReport:
    """Read both tables, join them by architecture and compute every metric with its bootstrap interval."""
    scores = read_table(scores_path, score_key)
    truth = read_table(truth_path, truth_key)
    joined = join_tables(scores, truth)
    metrics = ranking_metrics(joined.scores, joined.truth, topk, bootstrap, seed, confidence)
    return RankingReport(scores, truth, joined, metrics, bootstrap, seed, confidence)


def format_metrics(metrics: Sequence[MetricResult], confidence: float, bootstrap: int, header: str = '') -> str:
    """A fixed-width table: metric, value, CI bounds, k."""
    level = f'{100 * confidence:g}% CI' if bootstrap else 'CI (no bootstrap)'
    lines = [header] if header else []
    lines.append(f'{"metric":<18} {"value":>8} {level + " low":>16} {level + " high":>17} {"k":>6}')
    for m in metrics:
        lines.append(f'{m.name:<18} {m.value:>8.4f} {_num(m.ci_low):>16} {_num(m.ci_high):>17} '
                     f'{"" if m.k is None else m.k:>6}')
    return '\n'.join(lines)


# --- methods beside baselines ----------------------------------------------------------------------------------
MARGIN = 'margin_kendall_tau_b'
PARTIAL = 'partial_kendall_tau_b'


@dataclass(frozen=True)
class StudyRow:
    """One method or baseline of a study: its metrics, for a method its margin over the best baseline, and with a
    control baseline its partial tau given that one."""

    name: str
    is_baseline: bool
    metrics: list[MetricResult]
    margin: MetricResult | None = None
    partial: MetricResult | None = None

    @property
    def tau(self) -> MetricResult:
        return self.metrics[0]

    def as_dict(self) -> dict:
        row = dict(kind='baseline' if self.is_baseline else 'method',
                   metrics={m.name: m.as_dict() for m in self.metrics})
        if self.margin is not None:
            row[MARGIN] = self.margin.as_dict()
        if self.partial is not None:
            row[PARTIAL] = dict(self.partial.as_dict(), given=self.partial.name.split(' given ')[-1])
        return row


def compare_with_baselines(methods: Mapping[str, Mapping[str, float]], baselines: Mapping[str, Mapping[str, float]],
                           truth: Mapping[str, float], topk: Iterable[TopK] = DEFAULT_TOPK,
                           bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                           confidence: float = DEFAULT_CONFIDENCE, control: str | None = None) -> list[StudyRow]:
    """Metrics of every method and baseline (``{name: {arch: score}}``, keys as :func:`read_table` normalises them)
    on the architectures all of them and ``truth`` share, and each method's margin in Kendall tau-b over the best
    baseline (the one with the highest tau here: picking it by the ground truth favours the baselines).

    The margin's interval is a paired bootstrap: the method and the baseline are ranked on the same resampled
    architectures (the resamples of the metrics' intervals), so it is much narrower than the two taus' intervals
    suggest when both err on the same architectures.

    With ``control`` (a baseline's name, e.g. ``flops``), every other row also gets its partial Kendall tau given
    that baseline (:func:`partial_given`): whether it ranks anything the control does not, which a sample spread
    over sizes hides behind a high plain tau."""
    tables = {**methods, **baselines}
    archs = [a for a in truth if all(a in scores for scores in tables.values())]
    y = np.array([truth[a] for a in archs])
    values = {name: np.array([scores[a] for a in archs]) for name, scores in tables.items()}
    metrics = {name: ranking_metrics(x, y, topk, bootstrap, seed, confidence) for name, x in values.items()}
    best = max(baselines, key=lambda name: _sortable(metrics[name][0].value), default=None)
    if control is not None and control not in baselines:
        raise RankingInputError(f'the control baseline {control!r} is not among the baselines '
                                f'({", ".join(baselines) or "none"}); make its table with tools/zero_cost.py or '
                                'drop the control')

    def partial(name: str) -> MetricResult | None:
        if control is None or name == control:
            return None
        return partial_given(values[name], values[control], y, control, bootstrap, seed, confidence)
    rows = [StudyRow(name, True, metrics[name], partial=partial(name)) for name in baselines]
    for name in methods:
        margin = None if best is None else margin_over(values[name], values[best], y, best, bootstrap, seed, confidence)
        rows.append(StudyRow(name, False, metrics[name], margin, partial(name)))
    return rows


def partial_given(scores, control, truth, control_name: str = 'control', bootstrap: int = DEFAULT_BOOTSTRAP,
                  seed: int = DEFAULT_SEED, confidence: float = DEFAULT_CONFIDENCE) -> MetricResult:
    """Kendall's partial tau of ``scores`` and ``truth`` given ``control``, with a bootstrap interval over the
    metrics' resamples; the result's name says which control."""
    scores, control, truth = (np.asarray(v, dtype=float) for v in (scores, control, truth))
    low, high = bootstrap_ci(partial_kendall_rows(scores, control), np.arange(len(truth)), truth, bootstrap, seed,
                             confidence)
    return MetricResult(f'{PARTIAL} given {control_name}', partial_kendall_tau(scores, truth, control), low, high,
                        len(truth))


def margin_over(scores, baseline, truth, baseline_name: str = 'baseline', bootstrap: int = DEFAULT_BOOTSTRAP,
                seed: int = DEFAULT_SEED, confidence: float = DEFAULT_CONFIDENCE) -> MetricResult:
    """tau(scores) - tau(baseline) against ``truth``, with a paired bootstrap interval (see
    :func:`compare_with_baselines`); the result's name says which baseline."""
    scores, baseline, truth = (np.asarray(v, dtype=float) for v in (scores, baseline, truth))

    def rows(index: np.ndarray, ys: np.ndarray) -> np.ndarray:  # resampled architecture indices, their truth
        index = index.astype(int)
        return kendall_rows(scores[index], ys) - kendall_rows(baseline[index], ys)
    low, high = bootstrap_ci(rows, np.arange(len(truth)), truth, bootstrap, seed, confidence)
    value = kendall_tau_b(scores, truth) - kendall_tau_b(baseline, truth)
    return MetricResult(f'{MARGIN} over {baseline_name}', value, low, high, len(truth))


def format_study(rows: Sequence[StudyRow], ceiling: float | None = None,
                 compute: Mapping[str, float] | None = None) -> str:
    """A markdown table: methods then baselines, the ``compute`` of each method when given (its passes per
    image; a baseline costs none), Kendall tau-b [CI], Spearman, top-k, margin over the best baseline [CI], the
    partial tau given the control baseline [CI] when there is one, and the fraction of the ceiling (the ground
    truth's seed-to-seed tau) when given."""
    ordered = [r for r in rows if not r.is_baseline] + sorted((r for r in rows if r.is_baseline),
                                                              key=lambda r: -_sortable(r.tau.value))
    extra = [m.name for m in ordered[0].metrics[1:]] if ordered else []
    head = ['', 'kind', *(['passes per image'] if compute else []), 'Kendall tau-b [CI]', *extra,
            'margin over best baseline [CI]']
    control = next((r.partial.name.split(' given ')[-1] for r in ordered if r.partial is not None), None)
    if control:
        head.append(f'partial tau given {control} [CI]')
    if ceiling:
        head.append('of ceiling')
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in ordered:
        cells = [r.name, 'baseline' if r.is_baseline else 'method',
                 *([f'{compute[r.name]:g}' if r.name in compute else '0'] if compute else []), _with_ci(r.tau),
                 *(f'{m.value:.3f}' for m in r.metrics[1:]),
                 '' if r.margin is None else f'{_with_ci(r.margin)} ({r.margin.name.split(" over ")[-1]})']
        if control:
            cells.append('' if r.partial is None else _with_ci(r.partial))
        if ceiling:
            cells.append(f'{r.tau.value / ceiling:.0%}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def _with_ci(m: MetricResult) -> str:
    ci = '' if math.isnan(m.ci_low) else f' [{m.ci_low:+.3f}, {m.ci_high:+.3f}]'
    return f'{m.value:+.3f}{ci}'


def _sortable(value: float | None) -> float:
    return -math.inf if value is None or math.isnan(value) else value


def save_report(report: RankingReport, path) -> Path:
    """Write the report as JSON (NaN written as null, so any JSON reader accepts it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nan_to_none(report.as_dict()), indent=2) + '\n')
    return path


def _num(value: float) -> str:
    return 'nan' if math.isnan(value) else f'{value:.4f}'


def nan_to_none(obj):
    """``obj`` with every NaN float replaced by None, for strict JSON (null: not measured)."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [nan_to_none(v) for v in obj]
    return obj


# --- a study with its seeds, rendered from its report --------------------------------------------------------------
def format_seeded_study(report: Mapping) -> str:
    """The markdown a study's report renders to (``study.md`` beside ``report.json``, included in docs/studies.md): the
    ground truth's ceilings, every method x budget as the mean over its supernet seeds with the two-level interval,
    the zero-cost baselines, and every paired difference the summary holds, each marked by whether its interval
    excludes 0. Made from the report alone, so the committed text rebuilds from the committed numbers."""
    seeded, ceilings = report['seeded'], report.get('ceilings')
    control = seeded.get('control')
    tau, partial = 'kendall_tau_b', 'partial_kendall_tau_b'
    half = '' if report.get('archs', 'all') == 'all' else f' (the `{report["archs"]}` half)'
    lines = [f'{seeded["num_archs"]} architectures{half} of `{report["ground_truth"]}`.']
    ceiling = None
    if ceilings:
        ceiling = ceilings['noise_ceiling']['value']  # None where the seeds do not agree at all
        lines.append(f'Ground truth: seed-to-seed Kendall tau-b {_est(ceilings["seed_to_seed"])} (how reproducible '
                     f'it is); noise ceiling for the mean of its {ceilings["seeds"]} seeds {_est(ceilings["noise_ceiling"])} '
                     '(the tau a noise-free ranking would reach against that mean, by the Spearman-Brown correction; '
                     '"of ceiling" is a row\'s tau over it).')
    if not seeded['bootstrapped']:
        lines.append('Fewer than 20 architectures: no bootstrap interval is given.')
    lines.append('')
    head = ['budget', 'method', 'passes per image', 'supernet seeds', 'Kendall tau-b per seed',
            'mean ± std [95% CI]', *([f'partial tau given {control}, mean [95% CI]'] if control else []),
            *(['of ceiling'] if ceiling else [])]
    lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for label, row in seeded['methods'].items():
        t = row[tau]
        spread = '' if t['std'] is None else f' ± {t["std"]:.3f}'
        cells = [f'x{row["budget"]:g}', row['method'], f'{row["units"]:g}', str(t['seeds']),
                 ', '.join(_value(v) for v in t['per_seed']), f'{_value(t["value"])}{spread}{_ci(t)}']
        if control:
            cells.append(_est(row[partial]) if partial in row else '-')
        if ceiling:
            cells.append(_share(t['value'], ceiling))
        lines.append('| ' + ' | '.join(cells) + ' |')
    for name, row in sorted(seeded['baselines'].items(), key=lambda kv: -_sortable(kv[1][tau]['value'])):
        t = row[tau]
        cells = ['-', f'{name} (zero-cost)', '0', '-', _value(t['value']), f'{_value(t["value"])}{_ci(t)}']
        if control:
            cells.append(_est(row[partial]) if partial in row else '-')
        if ceiling:
            cells.append(_share(t['value'], ceiling))
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines += ['', 'Paired differences (architectures resampled jointly for both sides, supernet seeds within each '
                  'method; a difference is supported where its 95% CI excludes 0):', '',
              '| a | b | statistic | a - b [95% CI] | CI excludes 0 |', '|---|---|---|---|---|']
    names = {tau: 'Kendall tau-b', partial: f'partial tau given {control}'}
    for d in (d for d in seeded['comparisons'] if d['value'] is not None):
        verdict = {True: '**yes**', False: 'no', None: 'no CI'}[d['excludes_zero']]
        lines.append(f'| {d["a"]} | {d["b"]} | {names[d["metric"]]} | {d["value"]:+.3f}{_ci(d, signed=True)} | '
                     f'{verdict} |')
    supported = [d for d in seeded['comparisons'] if d['excludes_zero']]
    lines += ['', 'What the differences support (95% CI excludes 0):' if supported else
              'No difference in the table is supported (every 95% CI includes 0).', '']
    for d in supported:
        side = 'above' if d['value'] > 0 else 'below'
        lines.append(f'- {d["a"]} ranks {side} {d["b"]} by {names[d["metric"]]} '
                     f'({d["value"]:+.3f}{_ci(d, signed=True)})')
    if supported and len(supported) < len(seeded['comparisons']):
        lines.append(f'- no other difference in the table is: each is within the noise of {seeded["num_archs"]} '
                     'architectures and the supernet seeds each row has')
    if report.get('health'):
        lines += ['', *_health_lines(report['health'])]
    if report.get('transfer'):
        lines += ['', *format_reference_section(report['transfer'])]
    return '\n'.join(lines).rstrip('\n') + '\n'


def format_reference_section(section: Mapping) -> list[str]:
    """The lines of a report's cross-reference section (:func:`pinas.studies.transfer.reference_summary`): the
    references with their ceilings and the tau between them, every row's tau against each with its paired change,
    and every two methods' difference of changes, each marked by whether its interval excludes 0."""
    base, refs = section['base'], list(section['references'])
    others = [r for r in refs if r != base]
    lines = [f'### Against transfer ({section["num_archs"]} architectures measured by every ground truth)', '']
    for name, ref in section['references'].items():
        c = ref.get('ceilings')
        text = (f'seed-to-seed tau {_est(c["seed_to_seed"])}, noise ceiling for the mean of its {c["seeds"]} seeds '
                f'{_est(c["noise_ceiling"])}' if c else 'no seed columns, no ceiling')
        lines.append(f'- **{name}** (`{ref["path"]}`): {text}')
    for name in others:
        cross = section['cross_task'][name]
        p = '' if cross.get('p_value') is None else f' (permutation p = {cross["p_value"]:.4f})'
        lines.append(f'- the two ground truths themselves, {base} vs {name}: Kendall tau-b '
                     f'{_est(cross)}{p}; a score can rank one better than the other only as far as they disagree')
    if not section['bootstrapped']:
        lines.append('- fewer than 20 architectures: no bootstrap interval is given')
    head = ['row', *[f'tau vs {r}, mean [95% CI]' for r in refs], *[f'{r} - {base} [95% CI]' for r in others],
            *[f'CI excludes 0 ({r})' for r in others]]
    lines += ['', '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for label, row in section['rows'].items():
        name = label if row['kind'] == 'method' else f'{label} (zero-cost)'
        changes = [row['change'][r] for r in others]
        lines.append('| ' + ' | '.join([name, *[_est(row['tau'][r]) for r in refs],
                                         *[f'{_signed(d["value"])}{_ci(d, signed=True)}' for d in changes],
                                         *[_verdict(d) for d in changes]]) + ' |')
    if section['shifts']:
        lines += ['', 'Does one method lose less than another when the target becomes transfer? The difference of '
                      'their changes, paired (the ground truths\' own noise cancels out of it):', '',
                  '| reference | a | b | (a change) - (b change) [95% CI] | CI excludes 0 |', '|---|---|---|---|---|']
        for d in section['shifts']:
            lines.append(f'| {d["reference"]} | {d["a"]} | {d["b"]} | {_signed(d["value"])}{_ci(d, signed=True)} | '
                         f'{_verdict(d)} |')
        supported = [d for d in section['shifts'] if d['excludes_zero']]
        if not section['bootstrapped']:
            lines += ['', f'Fewer than 20 architectures ({section["num_archs"]}): no interval, so no difference is '
                          'claimed either way.']
            return lines
        lines += ['', 'Supported (95% CI excludes 0): ' + ('; '.join(
            f'{d["a"]} {"gains more" if d["value"] > 0 else "loses more"} than {d["b"]} on {d["reference"]} '
            f'({_signed(d["value"])}{_ci(d, signed=True)})' for d in supported) if supported else
            'none; no method\'s ranking moves differently from another\'s when the target changes, within the noise '
            f'of {section["num_archs"]} architectures and the supernet seeds.')]
    return lines


def _signed(value: float | None) -> str:
    return 'undefined' if value is None else f'{value:+.3f}'


def _verdict(d: Mapping) -> str:
    return {True: '**yes**', False: 'no', None: 'no CI'}[d['excludes_zero']]


def _health_lines(health: Mapping) -> list[str]:
    """The study's training-health verdicts: which contrastive runs collapsed (pos_sim - neg_sim over their last
    epoch below the study's margin), which did not, and which trained before health was recorded."""
    runs = health['runs']
    judged = {name: h for name, h in runs.items() if h is not None}
    if not judged:
        return [f'Training health (pos_sim - neg_sim over the last epoch; collapsed below {health["min_margin"]:g}): '
                'no run of this report recorded it (every one trained before the check, or logs no similarities).']
    collapsed = [n for n, h in judged.items() if h['collapsed']]
    lines = [f'Training health of the runs that log it (means over the last epoch; collapsed where pos_sim - neg_sim '
             f'< {health["min_margin"]:g}, the queries no closer to their positives than to the negatives; key rank: '
             f'the effective rank of a batch\'s keys, 1 when all point one way): '
             + (f'{len(collapsed)} of {len(judged)} collapsed.' if collapsed else f'none of {len(judged)} collapsed.'),
             '', '| run | pos_sim | neg_sim | margin | key rank | collapsed |', '|---|---|---|---|---|---|']
    for name, h in judged.items():
        rank = h.get('key_rank')
        lines.append(f'| {name} | {h["pos_sim"]:.2f} | {h.get("neg_sim", 0.0):.2f} | {h["margin"]:.2f} | '
                     f'{"-" if rank is None else f"{rank:.1f}"} | {"**yes**" if h["collapsed"] else "no"} |')
    unknown = [n for n, h in runs.items() if h is None]
    if unknown:
        lines.append('')
        lines.append(f'Not recorded (trained before the check, or a method that logs no similarities): '
                     f'{", ".join(unknown)}.')
    return lines


def _ci(entry: Mapping, signed: bool = False) -> str:
    low, high = entry['ci']
    if low is None or high is None or (isinstance(low, float) and math.isnan(low)):
        return ''
    return f' [{low:+.2f}, {high:+.2f}]' if signed else f' [{low:.2f}, {high:.2f}]'


def _value(value: float | None) -> str:
    return 'undefined' if value is None else f'{value:.3f}'


def _share(value: float | None, ceiling: float) -> str:
    return '-' if value is None else f'{value / ceiling:.0%}'


def _est(entry: Mapping) -> str:
    return 'undefined' if entry['value'] is None else f'{entry["value"]:.3f}{_ci(entry)}'
