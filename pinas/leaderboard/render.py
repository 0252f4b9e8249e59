"""The leaderboard as Markdown and CSV, and the number formats every output shares.

Numbers are printed with fixed decimals (never ``repr``), so the same records give byte-identical files. The CSV
follows timm's ``results-*.csv`` (one row per model, ``model`` first, ``param_count`` in millions, sorted best
first) with the task, dataset and rank columns a multi-task table needs.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Optional, Sequence

from pinas.ranking.metrics import EXACT_PERMUTATION_MAX_ITEMS, MIN_BOOTSTRAP_ITEMS, MIN_CORRELATION_ITEMS

from .correlation import SeedCeiling, Study
from .record import METRICS, Record
from .table import Board, Row, citations

METRIC_DECIMALS = 2   # metrics in percent, as the papers print them (39.50)
SIZE_DECIMALS = 2     # params (M) and GMACs
SCORE_DECIMALS = 3    # search scores (accuracies, or losses that differ in the third digit)
STAT_DECIMALS = 3     # correlation coefficients
CSV_DECIMALS = 4      # the CSV is read by programs: keep more than is printed
UNVERIFIED = 'seeds unverified'  # provenance mark of a row averaging records without dataset fingerprints


def number(value: Optional[float], decimals: int) -> str:
    """Fixed-point text of ``value``; '' for a missing value, 'n/a' for an undefined one (NaN)."""
    if value is None:
        return ''
    if value != value:
        return 'n/a'
    return f'{value:.{decimals}f}'


def stat_text(row: Row, metric: str) -> str:
    """``mean ± std (n)`` over seeds, or the single value."""
    stat = row.metrics.get(metric)
    if stat is None:
        return ''
    if stat.std is None:
        return number(stat.mean, METRIC_DECIMALS)
    return f'{number(stat.mean, METRIC_DECIMALS)} ± {number(stat.std, METRIC_DECIMALS)} (n={stat.n})'


def result_text(result) -> str:
    """``value [low, high]`` of a :class:`MetricResult`; the interval is left out when none was computed."""
    if result is None:
        return ''
    text = number(result.value, STAT_DECIMALS)
    if result.ci_low == result.ci_low and result.ci_high == result.ci_high:
        text += f' [{number(result.ci_low, STAT_DECIMALS)}, {number(result.ci_high, STAT_DECIMALS)}]'
    return text


def tau_text(study: Study) -> str:
    """Kendall tau-b with its interval, or with its permutation p-value where too few architectures for one."""
    text = result_text(study.metric('kendall_tau_b'))
    return f'{text} ({study.permutation.short_text()})' if study.permutation else text


def pair_text(pair: SeedCeiling) -> str:
    """``seeds 0/1: 0.286 (p = 0.400 exact)``: one seed pair's seed-to-seed tau."""
    a, b = pair.seeds
    text = f'seeds {a}/{b}: {result_text(pair.tau)}'
    return f'{text} ({pair.permutation.short_text()})' if pair.permutation else text


def ceiling_text(study: Study) -> str:
    """The seed-to-seed tau of every seed pair."""
    return '; '.join(pair_text(c) for c in study.ceiling)


def noise_ceiling_text(study: Study) -> str:
    """``0.412 (k=2)``: the noise ceiling of the k-seed mean, with its interval where it has one."""
    if study.noise_ceiling is None:
        return ''
    return f'{result_text(study.noise_ceiling)} (k={study.noise_seeds:.3g})'


def provenance_text(row: Row) -> str:
    """Where the architecture came from, in a few words: ``pinas search #3 (knn 24.100)``, ``baseline``; with
    ``; seeds unverified`` where the seeds averaged carry no dataset fingerprint (:attr:`Row.unverified`)."""
    prov = row.first.provenance
    if prov.kind != 'search':
        text = prov.kind if not prov.method else f'{prov.kind} ({prov.method})'
    else:
        text = f'{prov.method} search'
        if prov.rank is not None:
            text += f' #{prov.rank}'
        if row.score is not None:
            text += f' ({prov.score_name or "score"} {number(row.score, SCORE_DECIMALS)})'
    return f'{text}; {UNVERIFIED}' if row.unverified else text


def source_text(row: Row, refs: Sequence[str]) -> str:
    """``run``, or ``paper [i]`` with i the row's reference number."""
    if not row.is_paper:
        return row.first.source
    return f'paper [{refs.index(row.first.citation) + 1}]'


def input_text(row: Row) -> str:
    size = row.first.input_size
    return f'{size[0]}x{size[1]}' if size else ''


def topk_names(found: Sequence[Study]) -> list[str]:
    """The top-k precision statistics the studies report, in their order."""
    names = []
    for study in found:
        names += [m.name for m in study.metrics if m.k is not None and m.name not in names]
    return names


# --- tables (Markdown and HTML render the same cells) ----------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    text: str
    value: Optional[float] = None   # what a numeric column sorts by (None: empty, sorted last)


def board_table(board: Board, refs: Sequence[str]) -> tuple[list[str], list[bool], list[list[Cell]]]:
    """Header, which columns are numeric, and the cells of ``board``'s rows (best first)."""
    metrics = board.metric_names
    header = (['#', 'name', 'arch', 'space'] + [METRICS[m] for m in metrics]
              + ['params (M)', 'GMACs', 'input', 'n', 'source', 'pretrain', 'provenance', 'pipeline'])
    numeric = [True, False, False, False] + [True] * len(metrics) + [True, True, False, True] + [False] * 4
    rows = []
    for rank, row in enumerate(board.rows, 1):
        first = row.first
        rows.append([Cell(str(rank), rank), Cell(first.name), Cell(first.arch), Cell(first.space)]
                    + [Cell(stat_text(row, m), row.metrics[m].mean if m in row.metrics else None) for m in metrics]
                    + [Cell(number(first.params_M, SIZE_DECIMALS), first.params_M),
                       Cell(number(first.flops_G, SIZE_DECIMALS), first.flops_G), Cell(input_text(row)),
                       Cell(str(row.primary.n), row.primary.n), Cell(source_text(row, refs)),
                       Cell(first.pretrain or ''), Cell(provenance_text(row)), Cell(first.pipeline or '')])
    return header, numeric, rows


def correlation_table(found: Sequence[Study]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the studies' statistics (the section a README can quote): does the search predict
    transfer? One row per board, config, method and score: where the scores come from, how many architectures,
    the correlations with their intervals (or tau's p-value), the seed-to-seed tau per seed pair and its mean, the
    noise ceiling, and tau / the noise ceiling."""
    topk = topk_names(found)
    ceiling = ['seed-to-seed tau (reproducibility)', 'seed-to-seed: mean', 'noise ceiling (k-seed mean)',
               'tau / noise ceiling']
    header = (['board', 'config', 'method', 'score', 'scores from', 'n', 'Kendall tau-b [95% CI] or (p)',
               'Spearman [95% CI]', 'Pearson [95% CI]'] + [f'{name} [95% CI]' for name in topk] + ceiling)
    rows = []
    for study in found:
        if study.skipped:
            stats = [f'skipped: {study.skipped}', '', ''] + [''] * len(topk) + [''] * len(ceiling)
        else:
            stats = ([tau_text(study)] + [result_text(study.metric(name)) for name in ('spearman', 'pearson')]
                     + [result_text(study.metric(name)) for name in topk]
                     + [ceiling_text(study), result_text(study.seed_mean), noise_ceiling_text(study),
                        number(study.tau_over_noise_ceiling, STAT_DECIMALS)])
        rows.append([study.board.title, study.config or '', study.method, study.score_name or '', study.source,
                     str(len(study.rows))] + stats)
    return header, rows


NO_STUDY = 'No measured row carries a search score (provenance.score) and no scores table (--scores) was given.'
CORRELATION_INTRO = ('Does the search predict transfer? Each study: the measured rows of one board that one method '
                     'scored, fine-tuned with one config; its scores come from the records (provenance.score) or '
                     'from a scores table (tools/leaderboard.py --scores METHOD[:SCORE_NAME]=TABLE). Statistics '
                     f'with percentile-bootstrap intervals from {MIN_BOOTSTRAP_ITEMS} architectures on; below that '
                     'no interval (a bootstrap over so few is unreliable) but Kendall tau-b\'s two-sided '
                     f'permutation p-value (exact over all n! orders up to {EXACT_PERMUTATION_MAX_ITEMS} '
                     'architectures, else Monte-Carlo, marked MC, ± its standard error); below '
                     f'{MIN_CORRELATION_ITEMS} architectures no correlation at all. The seed-to-seed tau (the '
                     'Kendall tau-b between two seeds of the same architectures) says how reproducible the ground '
                     'truth is. A score is ranked against the mean of k seeds, which is less noisy than one seed, so '
                     'it can beat the seed-to-seed tau; it is judged against the noise ceiling, the tau a noise-free '
                     'ranking would reach against that mean (Spearman-Brown on the seed-to-seed tau). tau / noise '
                     'ceiling is the share of it the search reaches (n/a where the seeds do not agree beyond chance: '
                     'a seed-to-seed tau whose interval reaches zero, or whose p-value is 1 - confidence or more, '
                     'leaves nothing to predict).')


# --- Markdown --------------------------------------------------------------------------------------------------
def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(c.replace('|', '\\|') for c in row) + ' |' for row in rows]
    return lines


def summary_line(records: Sequence[Record]) -> str:
    runs = sum(r.source == 'run' for r in records)
    return (f'Built by `tools/leaderboard.py` from {len(records)} records ({runs} of runs, {len(records) - runs} '
            'from papers). One row per architecture and task setting, best first by the task\'s primary metric; '
            'metrics in percent, as mean ± sample std (n seeds) where a setting has several seeds. Rows marked '
            '"paper [i]" are published numbers from other pipelines: shown for reference, never in a correlation.')


def markdown(records: Sequence[Record], boards: Sequence[Board], found: Sequence[Study]) -> str:
    refs = citations(boards)
    lines = ['# Leaderboard', '', summary_line(records), '']
    for board in boards:
        header, _, rows = board_table(board, refs)
        lines += [f'## {board.title}', ''] + _md_table(header, [[c.text for c in r] for r in rows]) + ['']
    lines += ['## Search score vs downstream metric', '', CORRELATION_INTRO, ''] + correlation_markdown(found) + ['']
    if refs:
        lines += ['## References', ''] + [f'{i}. {ref}' for i, ref in enumerate(refs, 1)] + ['']
    return '\n'.join(lines)


def correlation_markdown(found: Sequence[Study]) -> list[str]:
    return _md_table(*correlation_table(found)) if found else [NO_STUDY]


# --- CSV -------------------------------------------------------------------------------------------------------
def csv_text(boards: Sequence[Board]) -> str:
    """All boards in one CSV: timm's columns first, then what a multi-task, multi-seed table adds."""
    metrics = [m for m in METRICS if any(m in board.metric_names for board in boards)]
    header = (['model', 'arch', 'space', 'task', 'dataset', 'split', 'rank']
              + [c for m in metrics for c in (m, f'{m}_std')]
              + ['param_count', 'gmacs', 'img_size', 'n_seeds', 'seeds', 'source', 'pretrain', 'provenance',
                 'method', 'score_name', 'score', 'search_rank', 'pipeline', 'config', 'citation'])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(header)
    for board in boards:
        for rank, row in enumerate(board.rows, 1):
            first, prov = row.first, row.first.provenance
            values = []
            for m in metrics:
                stat = row.metrics.get(m)
                values += [number(stat.mean, CSV_DECIMALS) if stat else '',
                           number(stat.std, CSV_DECIMALS) if stat else '']
            writer.writerow([first.name, first.arch, first.space, board.task.name, board.dataset, board.split, rank]
                            + values
                            + [number(first.params_M, CSV_DECIMALS), number(first.flops_G, CSV_DECIMALS),
                               input_text(row), row.primary.n,
                               ' '.join(str(s) for s in row.seeds if s is not None), first.source,
                               first.pretrain or '', prov.kind, row.method, prov.score_name or '',
                               number(row.score, CSV_DECIMALS), prov.rank or '', first.pipeline or '',
                               first.config or '', first.citation or ''])
    return buffer.getvalue()
