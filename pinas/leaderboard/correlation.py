"""Does the search know what transfers? Search score vs downstream metric, beside the noise ceiling.

A *study* is the measured rows of one board that one search method scored with one score, fine-tuned with one
config: the architectures' search scores against their downstream primary metric (mean over seeds), with Kendall
tau-b, Spearman, Pearson and top-k precision from :mod:`pinas.ranking`, under its small-sample rules
(:func:`pinas.ranking.metrics.ranking_evidence`): no correlation below 5 architectures, a permutation p-value
instead of a bootstrap CI below 20. Paper rows never enter a study: they come from other pipelines.

Where the rows have several seeds, the Kendall tau between two seeds' metrics across the same architectures (the
seed-to-seed tau) says how reproducible the ground truth is. It is not the ceiling of a score: a score is ranked
against the mean of k seeds, which is less noisy than one seed, so it is judged against the noise ceiling,
:func:`pinas.ranking.metrics.noise_ceiling_tau` of the seed-to-seed tau and k. Both are computed on the
architectures in one fixed order, so one ceiling has one interval in every study that shares its rows.

The scores come from one of two places:

* the records: each searched row's ``provenance.score`` (one study per config, method and score name);
* a *scores table* (:class:`ScoreTable`, ``tools/leaderboard.py --scores METHOD[:SCORE_NAME]=TABLE``): another
  search's scores of the same architectures, e.g. a SPOS supernet's top-1 in its ``ranked.json``, so one set of
  fine-tuned architectures tells how well several searches predict transfer. Any table
  :func:`pinas.ranking.read_table` reads will do (ranked JSON rows, an ``{arch: score}`` JSON, a CSV with ``arch``
  and ``score`` columns); higher must be better (negate a loss first). A table gives one study per board and
  config of measured rows, over the rows whose architecture it scores (codes compared as :class:`pinas.arch.Arch`
  values, so ``3-0-1-3`` is ``3013``); the rows need no provenance score. An architecture fine-tuned under several
  provenances with one config (a baseline and a search pick of the same code) counts once, over all its runs.
  A table named like a provenance score (same method and score name) is an error, not a silent merge.
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import Mapping, Optional, Sequence

from pinas.ranking.metrics import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_SEED, DEFAULT_TOPK,
                                   MIN_BOOTSTRAP_ITEMS, MIN_CORRELATION_ITEMS, PERMUTATION_DRAWS, MetricResult,
                                   PermutationTest, bootstrap_ci, check_bootstrap_settings,
                                   kendall_permutation_test, kendall_rows, kendall_tau_b, noise_ceiling_tau,
                                   ranking_evidence, seed_ceilings)

from pinas.arch import ArchError
from pinas.ranking.tables import TableError, read_table, table_code

from .table import Board, LeaderboardError, Row, make_row, slugify

SCORES_SPEC = 'METHOD[:SCORE_NAME]=TABLE'
SCORES_EXAMPLE = 'spos:top1=work_dirs/spos/search/ranked.json'
TABLE_FORMATS = ('a ranked.json (rows {"arch": ..., "score": ...}, as tools/search.py writes), an {"arch": score} '
                 'JSON or a CSV with arch and score columns')


@dataclass(frozen=True)
class Settings:
    """How the statistics are computed (defaults: :mod:`pinas.ranking`'s)."""
    topk: tuple = DEFAULT_TOPK
    resamples: int = DEFAULT_BOOTSTRAP
    seed: int = DEFAULT_SEED
    confidence: float = DEFAULT_CONFIDENCE
    permutations: int = PERMUTATION_DRAWS   # Monte-Carlo orders of a permutation test above 8 architectures

    def __post_init__(self):
        check_bootstrap_settings(self.resamples, self.confidence)

    def as_dict(self) -> dict:
        return dict(topk=list(self.topk), bootstrap=self.resamples, bootstrap_seed=self.seed,
                    confidence=self.confidence, permutation_draws=self.permutations,
                    min_correlation_items=MIN_CORRELATION_ITEMS, min_bootstrap_items=MIN_BOOTSTRAP_ITEMS)


@dataclass(frozen=True)
class SeedCeiling:
    """Kendall tau-b between two seeds' downstream metrics over the architectures run with both (the seed-to-seed
    tau: how reproducible the ground truth is); its permutation test where there are too few for a bootstrap CI."""
    seeds: tuple
    tau: MetricResult
    permutation: Optional[PermutationTest] = None

    def agrees(self, confidence: float) -> bool:
        """The two seeds rank alike beyond chance: the CI lies above 0, or (few architectures) tau > 0 with
        p < 1 - confidence; True where neither was computed (``--bootstrap 0``), as nothing says otherwise."""
        if not math.isnan(self.tau.ci_low):
            return self.tau.ci_low > 0
        if self.permutation is not None:
            return self.tau.value > 0 and self.permutation.p_value < 1 - confidence
        return True


@dataclass(frozen=True)
class ScoreTable:
    """Search scores of architectures from a table rather than the records: ``--scores METHOD[:SCORE_NAME]=TABLE``."""
    method: str
    score_name: Optional[str]
    path: str                     # as given: the outputs name it
    values: Mapping[str, float]   # normalised architecture code (str of :class:`Arch`) -> score


def parse_scores_spec(text: str) -> tuple[str, Optional[str], str]:
    """``METHOD[:SCORE_NAME]=TABLE`` -> (method, score name or None, table path); ValueError saying the fix."""
    head, sep, path = text.partition('=')
    method, _, score_name = head.partition(':')
    method, score_name, path = method.strip(), score_name.strip(), path.strip()
    if not sep:
        raise ValueError(f'{text!r} has no "="; write {SCORES_SPEC}, e.g. {SCORES_EXAMPLE}')
    if not method or not path:
        raise ValueError(f'{text!r} lacks the {"method" if not method else "table"}; write {SCORES_SPEC}, '
                         f'e.g. {SCORES_EXAMPLE}')
    return method, score_name or None, path


def read_score_table(method: str, score_name: Optional[str], path: str | Path) -> ScoreTable:
    """Read a scores table with :func:`pinas.ranking.read_table`; a :class:`TableError` names the file and the fix."""
    if not Path(path).is_file():
        raise TableError(f'scores table {path} does not exist; pass {TABLE_FORMATS}')
    try:
        table = read_table(path)
    except TableError as err:
        raise TableError(f'{err}; a scores table is {TABLE_FORMATS}') from None
    except OSError as err:
        raise TableError(f'{path} cannot be read ({type(err).__name__}: {err}); a scores table is '
                         f'{TABLE_FORMATS}') from None
    return ScoreTable(method, score_name, str(path), dict(table.values))


@dataclass(frozen=True)
class Study:
    board: Board
    config: Optional[str]
    method: str
    score_name: Optional[str]
    rows: tuple[Row, ...]                        # sorted by search score, best first
    scores: tuple[float, ...]                    # the rows' search scores, in row order
    scores_file: Optional[str] = None            # the scores table; None: the records' provenance.score
    metrics: tuple[MetricResult, ...] = ()       # empty when skipped
    ceiling: tuple[SeedCeiling, ...] = ()        # the seed-to-seed tau of each seed pair
    skipped: Optional[str] = None                # why no statistics were computed
    slug: str = field(default='', compare=False)
    permutation: Optional[PermutationTest] = None  # Kendall tau-b's p-value where n is too small for a CI
    seed_mean: Optional[MetricResult] = None     # the seed-to-seed tau, mean over the pairs
    noise_ceiling: Optional[MetricResult] = None  # what a noise-free ranking reaches against the seed mean
    noise_seeds: Optional[float] = None          # k of that mean (harmonic mean of the rows' run counts)
    confidence: float = field(default=DEFAULT_CONFIDENCE, compare=False)

    @property
    def title(self) -> str:
        return f'{self.board.title}: {self.method} {self.score_name or "score"} vs {self.board.task.primary}'

    @property
    def source(self) -> str:
        """Where the scores come from: the table's path, or the records' provenance."""
        return self.scores_file or 'provenance.score'

    def metric(self, name: str) -> Optional[MetricResult]:
        return next((m for m in self.metrics if m.name == name), None)

    @property
    def ceiling_mean(self) -> Optional[float]:
        """The seed-to-seed Kendall tau-b, mean over the seed pairs (NaN pairs left out); None without pairs."""
        values = [c.tau.value for c in self.ceiling if not math.isnan(c.tau.value)]
        if not values:
            return math.nan if self.ceiling else None
        return statistics.fmean(values)

    @property
    def tau_over_noise_ceiling(self) -> Optional[float]:
        """Kendall tau-b / the noise ceiling: the share of the reachable ranking quality the search reaches (None
        without a ceiling; NaN when the ceiling is undefined, or when the seeds do not agree beyond chance
        (:meth:`SeedCeiling.agrees`, or the mean's CI reaching zero): seeds that do not agree leave nothing to
        predict, and a ratio to a ceiling near zero would be a large number that means nothing)."""
        ceiling, tau = self.noise_ceiling, self.metric('kendall_tau_b')
        if ceiling is None or tau is None:
            return None
        uncertain = not all(c.agrees(self.confidence) for c in self.ceiling) or (
            self.seed_mean is not None and not math.isnan(self.seed_mean.ci_low) and not self.seed_mean.ci_low > 0)
        if math.isnan(ceiling.value) or uncertain or math.isnan(tau.value):
            return math.nan
        return tau.value / ceiling.value


# Free baselines a search must beat (``tools/leaderboard.py --baselines``): a record field as the score of its
# architecture, larger predicting better, as the ranking study's params / FLOPs proxies.
BASELINE_METHOD = 'baseline'
BASELINES = {'params': 'params_M', 'flops': 'flops_G'}


def baseline_table(name: str, rows: Sequence[Row]) -> ScoreTable:
    """The rows' own ``BASELINES[name]`` field (params or MACs of the backbone at the task's input size) as the
    scores of their architectures."""
    field_name = BASELINES[name]
    values = {}
    for row in rows:
        code, value = normalised_code(row.first.arch), getattr(row.first, field_name)
        if code is not None and value is not None:
            values[code] = float(value)
    return ScoreTable(BASELINE_METHOD, name, f'record.{field_name}', values)


def studies(boards: Sequence[Board], settings: Settings = Settings(),
            tables: Sequence[ScoreTable] = (), baselines: Sequence[str] = ()) -> list[Study]:
    """Every study of ``boards`` (provenance scores, then one per scores table and config, then one per baseline
    in ``BASELINES`` and config), in board order, then by config, method and score name."""
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        raise ValueError(f'unknown baseline(s) {", ".join(unknown)}; choose from {", ".join(BASELINES)}')
    measured_codes = {normalised_code(row.first.arch) for board in boards for row in board.rows if not row.is_paper}
    matching = {id(table) for table in tables if measured_codes & set(table.values)}  # others say why, everywhere
    found = []
    for board in boards:
        measured = [row for row in board.rows if not row.is_paper]
        groups: dict[tuple, list[Row]] = {}
        for row in measured:
            if row.score is not None:
                groups.setdefault((row.first.config or '', row.method, row.first.provenance.score_name or ''),
                                  []).append(row)
        pending: dict[tuple, tuple] = {}   # (config, method, score name) -> (rows, scores, table, described)
        for key, rows in groups.items():
            _check_one_row_per_arch(rows)
            rows = sorted(rows, key=lambda r: (-r.score,) + r.sort_key())
            pending[key] = (rows, [row.score for row in rows], None, None)
        for config in sorted({row.first.config or '' for row in measured}):
            in_config = [row for row in measured if (row.first.config or '') == config]
            for table in list(tables) + [baseline_table(name, in_config) for name in baselines]:
                found_rows = _table_rows(in_config, table)
                if not found_rows[0] and id(table) in matching:
                    continue  # another config's (or space's) table: no study here
                key = (config, table.method, table.score_name or '')
                if key in pending:
                    _refuse_two_sources(table, pending[key])
                pending[key] = found_rows
        slugs: set[str] = set()
        for (config, method, score_name), (rows, scores, table, described) in sorted(pending.items(),
                                                                                    key=lambda item: item[0]):
            study = Study(board, config or None, method, score_name or None, tuple(rows), tuple(scores),
                          table.path if table else None, slug=_study_slug(board, config, method, score_name, slugs),
                          confidence=settings.confidence)
            found.append(_measure(study, settings, described))
    return found


def _study_slug(board: Board, config: str, method: str, score_name: str, taken: set[str]) -> str:
    """A study's id (its plot's file name): board, config, method and score name, readable and unique."""
    slug = '_'.join([board.slug, slugify(Path(config).stem if config else 'records'), slugify(method),
                     slugify(score_name or 'score')])
    unique, n = slug, 1
    while unique in taken:  # two configs of one stem in different folders
        n += 1
        unique = f'{slug}_{n}'
    taken.add(unique)
    return unique


def _refuse_two_sources(table: ScoreTable, other: tuple) -> None:
    """A table and the records' provenance scores (or another table) of one (method, score name) over the rows of
    one config would give two studies of one name: refused. Tables of other configs or spaces may share a name."""
    rows, _, other_table, _ = other
    source = other_table.path if other_table is not None else \
        f'the records\' provenance.score (e.g. {rows[0].first.origin})'
    raise LeaderboardError(
        f'{table.path}: {table.method} {table.score_name or "score"} scores also come from {source}; '
        f'name the table\'s scores differently ({SCORES_SPEC}, e.g. '
        f'{table.method}:{table.score_name or "score"}-table={table.path})')


def normalised_code(code: str) -> Optional[str]:
    """A record's architecture code as :func:`pinas.ranking.read_table` keys it; None if it is no code."""
    try:
        return table_code(code)
    except ArchError:
        return None


def _table_rows(rows: Sequence[Row], table: ScoreTable) -> tuple:
    """The rows ``table`` scores (one per architecture), best score first; their scores; the table; and how many
    of the rows' architectures matched (the reason a study of too few is skipped)."""
    by_code: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        code = normalised_code(row.first.arch)
        if code is not None and code in table.values:
            by_code[code].append(row)
    merged = sorted(((table.values[code], merge_rows(group)) for code, group in by_code.items()),
                    key=lambda item: (-item[0],) + item[1].sort_key())
    archs = len({(row.first.space, row.first.arch) for row in rows})
    described = f'{len(merged)} of {archs} measured architecture(s) in the table'
    if not merged:
        examples = ', '.join(repr(code) for code in sorted(table.values)[:2])
        described += (f' (its codes look like {examples}, the rows\' like '
                      f'{", ".join(sorted({repr(row.first.arch) for row in rows})[:2])})')
    return [row for _, row in merged], [score for score, _ in merged], table, described


def merge_rows(rows: Sequence[Row]) -> Row:
    """One row of an architecture fine-tuned under several provenances (settings) with one config: all its runs.

    Rows of one code with other config hashes or spaces are stale or ambiguous: a :class:`LeaderboardError`.
    """
    if len(rows) == 1:
        return rows[0]
    first = rows[0].first
    for row in rows[1:]:
        if (row.first.space, row.first.config_sha256) != (first.space, first.config_sha256):
            raise LeaderboardError(
                f'{first.origin} and {row.first.origin}: architecture {row.first.arch} appears twice in one '
                f'study ({row.task.name}, config {row.first.config}) with different config hashes or spaces; '
                'remove the stale records')
    return make_row(rows[0].task, [r for row in rows for r in row.records])


def _check_one_row_per_arch(rows: list[Row]) -> None:
    seen: dict[tuple, Row] = {}
    for row in rows:
        other = seen.setdefault((row.first.space, row.first.arch), row)
        if other is not row:
            raise LeaderboardError(
                f'{other.first.origin} and {row.first.origin}: architecture {row.first.arch} appears twice in one '
                f'study ({row.task.name}, config {row.first.config}, method {row.method}) with different config '
                'hashes; remove the stale records')


def _measure(study: Study, settings: Settings, described: Optional[str] = None) -> Study:
    scores = list(study.scores)
    truth = [row.primary.mean for row in study.rows]
    evidence = ranking_evidence(scores, truth, settings.topk, settings.resamples, settings.seed, settings.confidence,
                                settings.permutations)
    if evidence.skipped:
        return replace(study, skipped=f'{described}; {evidence.skipped}' if described else evidence.skipped)
    pairs = seed_ceiling(study.rows, settings)
    seed_mean, noise, k = noise_ceiling(study.rows, pairs, settings)
    return replace(study, metrics=evidence.metrics, permutation=evidence.permutation, ceiling=pairs,
                   seed_mean=seed_mean, noise_ceiling=noise, noise_seeds=k)


def _canonical_order(rows: Sequence[Row]) -> list[Row]:
    """The rows by architecture, not by score: the same architectures give the same ceiling and the same bootstrap
    draws, whichever score a study sorted them by."""
    return sorted(rows, key=lambda row: (row.first.space, row.first.arch, row.sort_key()))


def _per_seed(rows: Sequence[Row]) -> list[dict]:
    """Each row's primary metric per seed (a merged row's runs of one seed count as their mean)."""
    per_arch = []
    for row in rows:
        by_seed = defaultdict(list)
        for r in row.records:
            if r.seed is not None and row.task.primary in r.metrics:
                by_seed[r.seed].append(r.metrics[row.task.primary])
        per_arch.append({seed: statistics.fmean(values) for seed, values in by_seed.items()})
    return per_arch


def seed_ceiling(rows: Sequence[Row], settings: Settings) -> tuple[SeedCeiling, ...]:
    """The seed-to-seed Kendall tau-b of every pair of seeds that at least :data:`MIN_CORRELATION_ITEMS`
    architectures were run with: with a bootstrap CI from :data:`MIN_BOOTSTRAP_ITEMS` architectures on, with a
    permutation p-value below."""
    per_arch = _per_seed(_canonical_order(rows))
    seeds = sorted({seed for values in per_arch for seed in values})
    found = []
    for a, b in combinations(seeds, 2):
        pairs = [(values[a], values[b]) for values in per_arch if a in values and b in values]
        if len(pairs) < MIN_CORRELATION_ITEMS:
            continue
        x, y = zip(*pairs)
        if len(pairs) < MIN_BOOTSTRAP_ITEMS:
            test = kendall_permutation_test(x, y, settings.permutations, settings.seed)
            found.append(SeedCeiling((a, b), MetricResult('kendall_tau_b', test.value, math.nan, math.nan, len(x)),
                                     test))
            continue
        low, high = bootstrap_ci(kendall_rows, x, y, settings.resamples, settings.seed, settings.confidence)
        found.append(SeedCeiling((a, b), MetricResult('kendall_tau_b', kendall_tau_b(x, y), low, high, len(x))))
    return tuple(found)


def noise_ceiling(rows: Sequence[Row], pairs: Sequence[SeedCeiling], settings: Settings
                  ) -> tuple[Optional[MetricResult], Optional[MetricResult], Optional[float]]:
    """``(seed_mean, noise_ceiling, k)``: the seed-to-seed tau averaged over ``pairs``, the noise ceiling of the
    rows' metric means (:func:`noise_ceiling_tau` with k the harmonic mean of the rows' run counts: the k whose
    noise variance sigma^2 / k is the rows' average) and k; Nones without a pair.

    Where every row has the same seeds, one run each, and there are at least :data:`MIN_BOOTSTRAP_ITEMS` of them,
    both come from :func:`seed_ceilings`, with CIs from the same resampled architectures (those of the pairs'
    CIs, so one pair's interval and the mean's are one interval). Otherwise the noise ceiling has no CI, and the
    mean has one only where it is a single pair's tau (that pair's)."""
    if not pairs:
        return None, None, None
    ordered = _canonical_order(rows)
    k = statistics.harmonic_mean([row.primary.n for row in ordered])
    per_arch = _per_seed(ordered)
    seeds = sorted(per_arch[0])
    complete = (len(seeds) >= 2 and all(sorted(v) == seeds for v in per_arch)
                and all(row.primary.n == len(seeds) for row in ordered))
    if complete and len(ordered) >= MIN_BOOTSTRAP_ITEMS and settings.resamples:
        seed_mean, noise = seed_ceilings([[values[s] for values in per_arch] for s in seeds], settings.resamples,
                                         settings.seed, settings.confidence)
        return seed_mean, noise, float(len(seeds))
    values = [c.tau.value for c in pairs if not math.isnan(c.tau.value)]
    mean = statistics.fmean(values) if values else math.nan
    n = min(c.tau.n for c in pairs)
    seed_mean = (replace(pairs[0].tau, name='seed_to_seed_kendall_tau_b') if len(pairs) == 1 else
                 MetricResult('seed_to_seed_kendall_tau_b', mean, math.nan, math.nan, n))
    return seed_mean, MetricResult('noise_ceiling_kendall_tau_b', noise_ceiling_tau(mean, k), math.nan, math.nan,
                                   n), k


def _number(value: float) -> Optional[float]:
    """JSON has no NaN: an undefined statistic is null."""
    return None if value is None or math.isnan(value) else float(value)


def _result_dict(result: MetricResult) -> dict:
    row = dict(value=_number(result.value), ci=[_number(result.ci_low), _number(result.ci_high)], n=result.n)
    if result.k is not None:
        row['k'] = result.k
    return row


def studies_dict(found: Sequence[Study], settings: Settings) -> dict:
    """The studies as JSON data (what ``correlations.json`` holds and a README quotes)."""
    out = []
    for study in found:
        out.append(dict(
            task=study.board.task.name, dataset=study.board.dataset, split=study.board.split, config=study.config,
            method=study.method, score=study.score_name, scores_file=study.scores_file,
            metric=study.board.task.primary, n=len(study.rows),
            archs=[dict(name=row.first.name, space=row.first.space, arch=row.first.arch, score=score,
                        metric=row.primary.mean, seeds=len(row.records))
                   for row, score in zip(study.rows, study.scores)],
            statistics={m.name: _result_dict(m) for m in study.metrics},
            kendall_tau_b_permutation=study.permutation.as_dict() if study.permutation else None,
            seed_to_seed=[dict(seeds=list(c.seeds), kendall_tau_b=_result_dict(c.tau),
                               permutation=c.permutation.as_dict() if c.permutation else None)
                          for c in study.ceiling],
            seed_to_seed_mean=_result_dict(study.seed_mean) if study.seed_mean else None,
            noise_ceiling=(dict(_result_dict(study.noise_ceiling), seeds=study.noise_seeds)
                           if study.noise_ceiling else None),
            tau_over_noise_ceiling=_number(study.tau_over_noise_ceiling), skipped=study.skipped))
    return dict(settings.as_dict(), studies=out,
                note='search score (provenance.score, or the table scores_file names) vs the downstream primary '
                     'metric (mean over seeds) of the measured rows of each board; paper rows never enter; no '
                     f'statistics below {MIN_CORRELATION_ITEMS} architectures; below {MIN_BOOTSTRAP_ITEMS} no '
                     'bootstrap CI (null) but kendall_tau_b_permutation, a two-sided permutation p-value; '
                     'seed_to_seed is the Kendall tau-b between two seeds of the same architectures (how '
                     'reproducible the ground truth is), seed_to_seed_mean its mean over seed pairs, noise_ceiling '
                     'the tau a noise-free ranking reaches against the mean of `seeds` seeds (Spearman-Brown via '
                     'Greiner\'s relation), what a score is judged against; tau_over_noise_ceiling kendall_tau_b / '
                     'noise_ceiling')
