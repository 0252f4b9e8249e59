"""A transfer ground truth from result records: one metric per (architecture, seed), checked to be one experiment.

The classification ground truth is trained here (:mod:`pinas.studies.ground_truth`); a transfer ground truth is
a transfer benchmark's records (``configs/benchmarks/transfer_gt_*.py``). Both become the same runs table
(``{arch: {seed: value}}``), so one summary gives both their seed-to-seed tau and noise ceiling.
"""
from __future__ import annotations

from typing import Sequence

from .record import Record
from .table import LeaderboardError

# What every record of one ground truth shares (the architecture and the seed vary).
SHARED_FIELDS = ('source', 'space', 'task', 'dataset', 'split', 'pretrain', 'pretrained_dataset_fingerprint',
                 'dataset_fingerprint', 'schedule', 'pipeline')


def transfer_runs(records: Sequence[Record], metric: str | None = None) -> dict:
    """``{'meta', 'runs', 'provenance'}`` of ``records``: the shared settings, ``{arch: {seed: metric}}`` (default
    metric: the task's primary one) and, per run, the initial weights' sha256 and the code state it ran with.

    Refuses, naming two records, a set that is not one experiment: records that differ in a shared field, two
    records of one (arch, seed), the seeds of one architecture with different configs (their config sha256s), or a
    record without the metric."""
    if not records:
        raise LeaderboardError('no records; give the work dir of a transfer ground-truth benchmark task')
    first = records[0]
    for record in records[1:]:
        for name in SHARED_FIELDS:
            if getattr(record, name) != getattr(first, name):
                raise LeaderboardError(f'{record.origin} and {first.origin} differ in {name} '
                                       f'({getattr(record, name)!r} vs {getattr(first, name)!r}): a ground truth is '
                                       'one experiment; give the records of one benchmark task')
    metric = metric or first.primary_metric
    runs: dict[str, dict[str, float]] = {}
    provenance: dict[str, dict[str, dict]] = {}
    configs: dict[str, tuple[str, str]] = {}
    for record in sorted(records, key=lambda r: (r.arch, r.seed)):
        if metric not in record.metrics:
            raise LeaderboardError(f'{record.origin} has no {metric} (it has {", ".join(sorted(record.metrics))})')
        seed = str(record.seed)
        if seed in runs.get(record.arch, {}):
            raise LeaderboardError(f'{record.origin}: a second record of {record.arch} seed {seed}; keep one')
        known = configs.setdefault(record.arch, (record.config_sha256, record.origin))
        if known[0] != record.config_sha256:
            raise LeaderboardError(f'{record.origin} and {known[1]}: the seeds of {record.arch} ran different '
                                   'configs (config_sha256); rerun them with one')
        runs.setdefault(record.arch, {})[seed] = record.metrics[metric]
        provenance.setdefault(record.arch, {})[seed] = dict(
            pretrained_sha256=record.pretrained_sha256, git_commit=record.git_commit, git_dirty=record.git_dirty,
            train_wall_time_s=record.train_wall_time_s)
    meta = {name: getattr(first, name) for name in SHARED_FIELDS}
    return dict(meta=dict(meta, metric=metric), runs=runs, provenance=provenance)


def run_minutes(provenance: dict) -> dict | None:
    """``{mean, min, max, runs}`` of the fine-tuning minutes the records of :func:`transfer_runs` took (training
    only, as each record measured it), what a protocol costs per run; None where no record measured it."""
    minutes = [run['train_wall_time_s'] / 60 for seeds in provenance.values() for run in seeds.values()
               if run.get('train_wall_time_s') is not None]
    if not minutes:
        return None
    return dict(mean=round(sum(minutes) / len(minutes), 2), min=round(min(minutes), 2), max=round(max(minutes), 2),
                runs=len(minutes))
