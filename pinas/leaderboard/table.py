"""Leaderboard rows from records: duplicates checked, seeds aggregated, one board per task and dataset.

A row is one *setting* (:attr:`Record.setting`: the same experiment up to the seed) seen on one task; its metrics
are the mean, sample std and count over the setting's seeds. A record counts on every task whose primary metric
it reports, so a Mask R-CNN record (box AP and mask AP) gives an Object Detection row and an Instance Segmentation
row, as OpenMMLab's metafiles list it. Everything is sorted on values, never on file order, so the same records
give the same rows whatever directories they came from.

Seeds are averaged only when they can be shown to be comparable: one config hash and one dataset fingerprint
(:attr:`Record.dataset_fingerprint`). A row mixing records with and without a fingerprint is refused as well (the
ones without prove nothing); a row of several records none of which has one (records written before fingerprints
existed) is built but marked unverified (:attr:`Row.unverified`).
"""
from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from .record import METRICS, TASKS, Record, RecordError, Task

# the metrics that belong to each task's results (a record's metrics are split between the tasks it reports)
TASK_METRICS = {
    'object_detection': ('box_AP', 'box_AP50', 'box_AP75', 'box_APs', 'box_APm', 'box_APl'),
    'instance_segmentation': ('mask_AP', 'mask_AP50', 'mask_AP75', 'mask_APs', 'mask_APm', 'mask_APl'),
    'semantic_segmentation': ('mIoU', 'mIoU_ms_flip', 'mAcc', 'aAcc'),
    'image_classification': ('top1', 'top5'),
}
assert set(TASK_METRICS) == set(TASKS) and sorted(sum(TASK_METRICS.values(), ())) == sorted(METRICS)


class LeaderboardError(RecordError):
    """Records that are valid one by one but cannot share a leaderboard (e.g. two results of one experiment)."""


def reported_tasks(record: Record) -> tuple[Task, ...]:
    """The tasks whose primary metric ``record`` reports, in :data:`TASKS` order (its own task among them)."""
    return tuple(task for task in TASKS.values() if task.primary in record.metrics)


def _canonical(record: Record) -> str:
    return json.dumps(record.to_dict(), sort_keys=True)


def unique_records(records: Iterable[Record]) -> tuple[list[Record], list[str]]:
    """The records with exact copies dropped, and one warning per copy.

    Two records with one :attr:`Record.key` but different content are two answers to one experiment: a
    :class:`LeaderboardError` naming both files, never a silent merge or a silent pick.
    """
    first: dict[tuple, Record] = {}
    warnings = []
    for record in sorted(records, key=lambda r: (_canonical(r), r.origin)):
        seen = first.get(record.key)
        if seen is None:
            first[record.key] = record
            continue
        if _canonical(seen) != _canonical(record):
            raise LeaderboardError(
                f'{seen.origin} and {record.origin}: two different records of one experiment ({describe_key(record)});'
                ' remove or rename the wrong one')
        warnings.append(f'{record.origin}: identical to {seen.origin}; counted once')
    return sorted(first.values(), key=_canonical), sorted(warnings)


def describe_key(record: Record) -> str:
    """The fields of :attr:`Record.key` as people name them."""
    config = record.config_sha256[:12] if record.config_sha256 else None
    return (f'source {record.source}, arch {record.space}:{record.arch}, task {record.task}, '
            f'{record.dataset} {record.split}, config sha256 {config}, method {record.provenance.method}, '
            f'seed {record.seed}')


@dataclass(frozen=True)
class Stat:
    """A metric over seeds: mean, sample standard deviation (None for one value) and the number of values."""
    mean: float
    std: Optional[float]
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> 'Stat':
        values = [float(v) for v in values]
        return cls(statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None, len(values))


@dataclass(frozen=True)
class Row:
    """One setting on one task: its records (sorted by seed) and their aggregated metrics."""
    task: Task
    records: tuple[Record, ...]
    metrics: dict[str, Stat]  # only this task's metrics (TASK_METRICS), in that order

    @property
    def first(self) -> Record:
        """The record that stands for the setting's shared fields (name, params, pipeline, ...)."""
        return self.records[0]

    @property
    def primary(self) -> Stat:
        return self.metrics[self.task.primary]

    @property
    def is_paper(self) -> bool:
        return self.first.source == 'paper'

    @property
    def seeds(self) -> tuple:
        return tuple(r.seed for r in self.records)

    @property
    def method(self) -> str:
        """The search method for a searched architecture, else the provenance kind (baseline, arch, paper)."""
        return self.first.provenance.method or self.first.provenance.kind

    @property
    def unverified(self) -> bool:
        """Several records averaged with nothing to show they saw the same data (none has a dataset fingerprint);
        :func:`make_row` refuses rows where only some have one."""
        return len(self.records) > 1 and all(r.dataset_fingerprint is None for r in self.records)

    @property
    def score(self) -> Optional[float]:
        """The architecture's search score (mean over records, which normally share it); None if not searched."""
        scores = [r.provenance.score for r in self.records if r.provenance.score is not None]
        return statistics.fmean(scores) if scores else None

    def sort_key(self) -> tuple:
        """Best-first by the primary metric; ties in a fixed order of the row's identity."""
        first = self.first
        return (-self.primary.mean, first.name, first.arch, first.space, first.source, first.config or '',
                first.config_sha256 or '', self.method, _canonical(first))


@dataclass(frozen=True)
class Board:
    """The leaderboard of one task on one dataset split: rows best-first."""
    task: Task
    dataset: str
    split: str
    rows: tuple[Row, ...]

    @property
    def title(self) -> str:
        return f'{self.task.title}: {self.dataset} {self.split}'

    @property
    def slug(self) -> str:
        return slugify(f'{self.task.name}_{self.dataset}_{self.split}')

    @property
    def metric_names(self) -> tuple[str, ...]:
        """The metrics any row reports, primary first, in :data:`TASK_METRICS` order."""
        present = {m for row in self.rows for m in row.metrics}
        return tuple(m for m in TASK_METRICS[self.task.name] if m in present)


def slugify(text: str) -> str:
    """A file- and id-safe form of ``text``: letters, digits, '-' and '_'."""
    out = ''.join(c if c.isalnum() or c in '-_' else '-' for c in text.strip())
    while '--' in out:
        out = out.replace('--', '-')
    return out.strip('-')


def record_name(record: Record) -> str:
    """``<file> (seed N)``, or the record's name for one not read from a file."""
    return f'{record.name if record.origin == "<memory>" else record.origin} (seed {record.seed})'


def _differing(group: Sequence[Record], field: str) -> Optional[str]:
    """``value: record, record; value: record`` when the records of ``group`` differ in ``field``, else None."""
    by_value: dict[str, list[str]] = defaultdict(list)
    for record in group:
        value = getattr(record, field)
        by_value['none' if value is None else value].append(record_name(record))
    if len(by_value) < 2:
        return None
    return '; '.join(f'{value}: {", ".join(names)}' for value, names in sorted(by_value.items()))


def check_comparable(group: Sequence[Record]) -> None:
    """Refuse to average records that cannot be shown to be one experiment: other config hashes, other dataset
    fingerprints, or some with a fingerprint and some without (a :class:`LeaderboardError` naming them all)."""
    configs = _differing(group, 'config_sha256')
    if configs:
        raise LeaderboardError(f'records of one row ran different configs (config_sha256 {configs}); rerun the '
                               'seeds with one config, or remove the stale records')
    fingerprints = _differing(group, 'dataset_fingerprint')
    if fingerprints:
        raise LeaderboardError(f'records of one row cannot be shown to have seen the same data (dataset_fingerprint '
                               f'{fingerprints}); rerun the seeds on one dataset with this version (tools/test.py '
                               'records the fingerprint), or remove the records of other data')


def make_row(task: Task, records: Iterable[Record]) -> Row:
    """The row of ``records`` on ``task``: records sorted by seed, this task's metrics aggregated over them, after
    :func:`check_comparable`."""
    group = tuple(sorted(records, key=lambda r: (r.seed is None, r.seed, _canonical(r))))
    check_comparable(group)
    metrics = {m: Stat.of([r.metrics[m] for r in group if m in r.metrics])
               for m in TASK_METRICS[task.name] if any(m in r.metrics for r in group)}
    return Row(task, group, metrics)


def build_boards(records: Iterable[Record]) -> list[Board]:
    """Boards in :data:`TASKS` order, then by dataset and split; ``records`` must be free of duplicates."""
    by_setting: dict[tuple, list[Record]] = defaultdict(list)
    for record in records:
        by_setting[record.setting].append(record)
    rows_by_board: dict[tuple, list[Row]] = defaultdict(list)
    for group in by_setting.values():
        tasks = {task.name: task for r in group for task in reported_tasks(r)}
        for task in tasks.values():
            row = make_row(task, group)
            rows_by_board[(task.name, row.first.dataset, row.first.split)].append(row)
    order = list(TASKS)
    return [Board(TASKS[task], dataset, split, tuple(sorted(rows, key=Row.sort_key)))
            for (task, dataset, split), rows in sorted(rows_by_board.items(),
                                                       key=lambda item: (order.index(item[0][0]),) + item[0][1:])]


def citations(boards: Iterable[Board]) -> list[str]:
    """Every distinct citation of the paper rows, sorted: reference [i] is ``citations[i - 1]``."""
    return sorted({row.first.citation for board in boards for row in board.rows if row.is_paper})
