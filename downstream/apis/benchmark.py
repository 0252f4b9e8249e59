"""A transfer benchmark: entries (architectures) x tasks (transfer configs) x seeds, one job each, every job trained
and tested through :func:`~downstream.apis.transfer_runner.train` / :func:`~downstream.apis.transfer_runner.test`
(or their command lines on a cluster) into its own work dir, where it leaves one result record.

A benchmark is an OpenMMLab-style config (``configs/benchmarks/``, ``_base_`` allowed) with

* ``entries``: dicts, each giving one or more architectures (:data:`ENTRY_KEYS`):
  ``dict(arch=CODE_OR_ARCH_FILE, space=..., weights=...)``, ``dict(model='resnest50d')`` (:data:`NAMED_MODELS`),
  ``dict(uniform=True, space=...)`` (every uniform architecture), or a search's ``dict(export=True)``,
  ``dict(top=K)`` / ``dict(bottom=K)`` (of its ranked table), with ``search=DIR`` or the benchmark's ``search_dir``;
  or ``dict(standalone=RUNS_FILE, archs=ARCHS_TXT)``: architectures pretrained stand-alone by
  ``tools/make_ground_truth.py --keep-checkpoints``, each seed fine-tuned from the weights of its own pretraining
  seed (:func:`standalone_entries`);
* ``tasks``: config paths, or dicts ``dict(config=..., name=..., dataset=..., tta=..., amp=..., gpus=...,
  cfg_options=dict(...))`` (:data:`TASK_KEYS`);
* ``seeds`` (default ``[0]``), ``work_dir`` (default ``work_dirs/benchmarks/<config name>``), ``search_dir``, and
  ``launch=dict(gpus=..., partition=...)`` for cluster launches.

A job is done when its work dir holds ``test_metrics.json`` and a valid record whose key (:func:`record_key`: the
resolved config's hash, the data fingerprint, the architecture, the seed, the initial weights' sha256) is the key the
job would now produce (:meth:`Job.key`, read from the configs and files without building a model); done jobs are
skipped, and an interrupted one resumes from the last checkpoint of its work dir. A job whose record has another key
(a task config changed, the data was regenerated, a search exported other weights) runs again, and its old work dir
is moved aside first (``seed0.replaced1``, its record renamed ``record.json.replaced`` so that no leaderboard reads
it): no stale checkpoint is resumed, and the progress line names what changed
(:func:`pinas.utils.reuse.compare`).
"""
from __future__ import annotations

import copy
import inspect
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from mmengine.config import Config

from pinas.apis.runner import (DEFAULT_WORK_ROOT, RESUME_LATEST, CfgOptionsAction, load_config, merge_cfg_options,
                               read_config)
from pinas.arch import code_or_arch_file
from pinas.leaderboard.record import RECORD_FILE, TASKS, Record, RecordError, load_record
from pinas.ranking.tables import read_code_list, table_code
from pinas.search.work_dir import SearchWorkDir
from pinas.spaces import NAMED_ARCHS, build_space, list_spaces
from pinas.studies.ground_truth import kept_checkpoints
from pinas.utils.cli import EXIT_FAILURE, ArgumentParser, UsageError, one_line, parse_shard, positive_int
from pinas.utils.dist import LAUNCHERS as DIST_LAUNCHERS
from pinas.utils.dist import child_pythonpath
from pinas.utils.files import atomic_write_bytes
from pinas.utils.reuse import Change, compare, describe

from ..backbones import PiNASResNeSt, PiNASTrack1ResNet
from .config import complete_pretrained_init, pretrained_checkpoint
from .records import (SCRATCH, STANDALONE, TRAIN_DATA, TTA_SEG_METRICS, config_hash, data_fingerprint,
                      pretrained_provenance, record_data_fingerprint)
from .transfer_cli import test_parser
from .transfer_runner import METRICS_FILE, test, train

# A benchmark starts its jobs itself (in this process, under torchrun or under srun): there is no mpirun job line.
LAUNCHERS = tuple(name for name in DIST_LAUNCHERS if name != 'mpi')
ENTRY = ('-m', 'downstream')  # `python -m downstream train|test ...`: tools/train.py and tools/test.py as a module
NAMED_MODELS = {a.key: a for a in NAMED_ARCHS}  # dict(model=KEY) entries
ENTRY_KEYS = {
    'arch': ('arch', 'name', 'space', 'weights', 'kind', 'method', 'pretrain'),
    'model': ('model', 'name', 'weights', 'pretrain'),
    'uniform': ('uniform', 'name', 'space', 'weights', 'pretrain'),
    'export': ('export', 'search', 'name'),
    'top': ('top', 'search', 'name'),
    'bottom': ('bottom', 'search', 'name'),
    'standalone': ('standalone', 'archs', 'name', 'pretrain_seed'),
}
TASK_KEYS = ('config', 'name', 'dataset', 'tta', 'amp', 'gpus', 'cfg_options')
BENCHMARK_KEYS = ('entries', 'tasks', 'seeds', 'work_dir', 'search_dir', 'launch')  # what a benchmark config sets
_UNSAFE = re.compile(r'[^A-Za-z0-9._-]+')  # names become directory names and --cfg-options values
LOG = '[benchmark]'
ERROR_LOG = 'benchmark_error.log'  # a failed job's traceback, in its work dir
REPLACED = '.replaced'  # a rerun job's old work dir: <work dir>.replaced<N>, its record <RECORD_FILE>.replaced
BACKBONES = {cls.__name__: cls for cls in (PiNASResNeSt, PiNASTrack1ResNet)}  # whose arch and space a key reads
# A record's fields that key it (what determines its numbers) -> the names a progress line gives them
KEY_FIELDS = {'config_sha256': 'config', 'dataset_fingerprint': 'data', 'arch': 'arch', 'seed': 'seed',
              'pretrained_sha256': 'weights'}


class BenchmarkError(UsageError):
    """A benchmark config that cannot be run as written; the message names the entry or task."""


@dataclass(frozen=True)
class Entry:
    """One architecture: its code (or arch file), space (None: the task config's), backbone weights (None: the
    config's own, :data:`SCRATCH`, or a checkpoint) and the record options it passes on (kind, search, ...)."""
    name: str
    arch: str
    space: str | None = None
    weights: str | None = None
    record: Mapping[str, Any] = field(default_factory=dict)
    seed_weights: Mapping[int, str] = field(default_factory=dict)  # per seed, for the seeds it runs (standalone)

    def runs_seed(self, seed: int) -> bool:
        return not self.seed_weights or seed in self.seed_weights


@dataclass(frozen=True)
class Task:
    name: str
    config: str
    dataset: str | None = None
    tta: bool = False
    amp: bool = False
    gpus: int | None = None
    cfg_options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    entry: Entry
    task: Task
    seed: int
    work_dir: Path

    @property
    def label(self) -> str:
        return f'{self.task.name}/{self.entry.name}/seed{self.seed}'

    def cfg_options(self) -> dict[str, Any]:
        """What the job changes in its task config, as ``--cfg-options`` keys."""
        options = {**self.task.cfg_options, 'model.backbone.arch': self.entry.arch, 'randomness.seed': self.seed,
                   'record.name': self.entry.name}
        if self.entry.space in list_spaces():  # a preset; a search's own space (a dict) is the task config's
            options['model.backbone.space'] = self.entry.space
        weights = self.entry.seed_weights.get(self.seed, self.entry.weights)
        if weights == SCRATCH:
            options['model.backbone.init_cfg'] = None
        elif weights:
            options['model.backbone.init_cfg.checkpoint'] = weights
        options.update({f'record.{k}': v for k, v in self.entry.record.items()})
        if self.task.dataset:
            options['record.dataset'] = self.task.dataset
        return options

    def record(self) -> Record | None:
        """The job's record if the job is done (its test wrote metrics and a valid record), else None."""
        if not (self.work_dir / METRICS_FILE).is_file() or not (self.work_dir / RECORD_FILE).is_file():
            return None
        try:
            record = load_record(self.work_dir / RECORD_FILE)
        except RecordError:
            return None
        if self.task.tta and not set(TTA_SEG_METRICS.values()) <= set(record.metrics):
            return None
        return record

    def test_config(self, launcher: str = 'none', cache: dict | None = None) -> Config:
        """The config the job's test writes its record from, as :func:`~pinas.apis.runner.load_config` reads it and
        the test completes it: the options as the launcher passes them (a command line reads ``311021`` as a
        number, the library keeps the text). The task config file is read once per ``cache`` (reading one that
        names mmdet / mmseg bases takes seconds)."""
        options = self.cfg_options()
        if launcher != 'none':
            argv = [self.task.config, str(self.work_dir), '--cfg-options', *(f'{k}={v}' for k, v in options.items())]
            options = test_parser().parse_args(argv).cfg_options
        cache = {} if cache is None else cache
        if self.task.config not in cache:
            cache[self.task.config] = read_config(Path(self.task.config))
        cfg = copy.deepcopy(cache[self.task.config])
        merge_cfg_options(cfg, options)
        cfg.launcher, cfg.work_dir = launcher, str(self.work_dir)
        complete_pretrained_init(cfg)  # as transfer_runner.test, before it writes the record
        if isinstance(cfg.get('visualizer'), dict):
            cfg.visualizer.pop('name', None)  # as pinas.apis.build_runner, before it builds the runner
        return cfg

    def key(self, launcher: str = 'none', cache: dict | None = None) -> dict[str, Any]:
        """What the job's record would be keyed by if it ran now (:data:`KEY_FIELDS`), from the configs and files
        alone: no model is built; configs are read, and the data and weights hashed, once per ``cache``."""
        cache = {} if cache is None else cache
        cfg = self.test_config(launcher, cache)
        weights = pretrained_checkpoint(cfg)
        if weights and '://' not in str(weights) and not Path(weights).is_file():
            raise BenchmarkError(f'its initial weights {weights} do not exist, so its record cannot be checked')
        data = json.dumps([cfg[loader].dataset.to_dict() for loader in ('train_dataloader', 'test_dataloader')],
                          sort_keys=True, default=str)
        if data not in cache:
            cache[data] = record_data_fingerprint(cfg, 'test_dataloader',
                                                  {TRAIN_DATA: data_fingerprint(cfg, 'train_dataloader')})
        return dict(config_sha256=config_hash(cfg), dataset_fingerprint=cache[data], arch=arch_code(cfg),
                    seed=self.seed, pretrained_sha256=pretrained_provenance(cfg).get('pretrained_sha256'))

    def config_hashes(self, cache: dict | None = None) -> set[str]:
        """The job's config hash as the library and as a command line pass its options: one experiment, whichever
        launcher ran it (``'311021'`` or ``311021`` is one architecture)."""
        return {config_hash(self.test_config(launcher, cache)) for launcher in ('none', 'pytorch')}


def record_key(record: Record) -> dict[str, Any]:
    """What a record says produced it (:data:`KEY_FIELDS`)."""
    return {name: getattr(record, name) for name in KEY_FIELDS}


def arch_code(cfg: Config) -> str | None:
    """The space's code of the architecture the config's backbone builds (what its record's ``arch`` holds), read
    as the backbone reads it; None where the config does not say (the job then fails with the backbone's error)."""
    backbone = cfg.model.get('backbone') or {}
    known = BACKBONES.get(backbone.get('type'))
    if known is None:
        return None
    defaults = inspect.signature(known).parameters
    try:
        space = build_space(backbone.get('space', defaults['space'].default))
        return space.format(space.parse(code_or_arch_file(backbone.get('arch', defaults['arch'].default))))
    except Exception:  # a malformed code or a missing arch file: the job's own run reports it
        return None


def key_changes(record: Record, key: Mapping[str, Any]) -> list[Change]:
    """How ``record``'s key differs from ``key`` ([]: the record stands for the job), fields named as in a line."""
    changes = compare(record_key(record), key)
    return [Change(KEY_FIELDS[c.field], c.stored, c.current) for c in changes]


def set_aside(work_dir: Path) -> Path:
    """Move a job's old work dir to ``<work dir>.replaced<N>`` (its record renamed so that a leaderboard over the
    benchmark's work dir never reads it) and return where it went: the rerun starts from nothing."""
    number = 1
    while (target := work_dir.with_name(f'{work_dir.name}{REPLACED}{number}')).exists():
        number += 1
    work_dir.rename(target)
    if (target / RECORD_FILE).is_file():
        (target / RECORD_FILE).rename(target / f'{RECORD_FILE}{REPLACED}')
    return target


@dataclass(frozen=True)
class Benchmark:
    name: str
    jobs: tuple[Job, ...]
    work_dir: Path
    gpus: int
    partition: str | None
    counts: tuple[int, int, int]  # entries, tasks, seeds


# --- reading a benchmark config -----------------------------------------------------------------------------------
def load_benchmark(path: str | Path, *, work_dir: str | None = None,
                   cfg_options: Mapping[str, Any] | None = None) -> Benchmark:
    """The jobs of a benchmark config, entries expanded (search tables and arch files are read here)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'benchmark config {path} does not exist; pass one under configs/benchmarks/')
    cfg = Config.fromfile(str(path))
    if cfg_options:
        unknown = sorted(k for k in cfg_options if k.split('.')[0] not in BENCHMARK_KEYS)
        if unknown:
            raise BenchmarkError(f'--cfg-options {unknown[0]}: a benchmark config has the keys '
                                 f'{", ".join(BENCHMARK_KEYS)}; a task\'s settings go in its cfg_options')
        merge_cfg_options(cfg, cfg_options)
    for key in ('entries', 'tasks'):
        if not cfg.get(key):
            raise BenchmarkError(f'{path}: "{key}" is missing or empty; a benchmark lists entries (architectures) '
                                 'and tasks (transfer configs), see configs/benchmarks/')
    search_dir = cfg.get('search_dir')
    entries = _unique([e for i, spec in enumerate(cfg.entries) for e in expand_entry(spec, search_dir,
                                                                                     f'{path}: entries[{i}]')])
    tasks = _unique([parse_task(spec, f'{path}: tasks[{i}]') for i, spec in enumerate(cfg.tasks)])
    seeds = [int(s) for s in cfg.get('seeds', [0])]
    root = Path(work_dir or cfg.get('work_dir') or Path(DEFAULT_WORK_ROOT) / 'benchmarks' / path.stem)
    jobs = tuple(Job(entry, task, seed, root / task.name / entry.name / f'seed{seed}')
                 for task in tasks for entry in entries for seed in seeds if entry.runs_seed(seed))
    launch = cfg.get('launch', {})
    return Benchmark(path.stem, jobs, root, int(launch.get('gpus', 1)), launch.get('partition'),
                     (len(entries), len(tasks), len(seeds)))


def _unique(items: list) -> list:
    """Items in order, the later of two with one name dropped (an architecture listed twice, e.g. as top-1 and
    as an export, is one entry)."""
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(item.name, item)
    return list(seen.values())


def safe_name(text: Any) -> str:
    return _UNSAFE.sub('_', str(text)).strip('_') or 'unnamed'


def expand_entry(spec: Mapping[str, Any], search_dir: str | None, where: str) -> list[Entry]:
    """The architectures one entry stands for (see :data:`ENTRY_KEYS`)."""
    spec = dict(spec)
    form = next((k for k in ENTRY_KEYS if k in spec), None)
    if form is None:
        raise BenchmarkError(f'{where}: an entry needs one of {", ".join(ENTRY_KEYS)}, got {sorted(spec)}')
    unknown = sorted(set(spec) - set(ENTRY_KEYS[form]))
    if unknown:
        raise BenchmarkError(f'{where}: {unknown[0]!r} is not a key of a {form!r} entry '
                             f'(keys: {", ".join(ENTRY_KEYS[form])})')
    weights = spec.get('weights')
    record = {k: spec[k] for k in ('kind', 'method', 'pretrain') if spec.get(k) is not None}
    if form == 'arch':
        name = spec.get('name') or Path(str(spec['arch'])).stem
        return [Entry(safe_name(name), str(spec['arch']), spec.get('space'), weights, record)]
    if form == 'model':
        if spec['model'] not in NAMED_MODELS:
            raise BenchmarkError(f'{where}: unknown model {spec["model"]!r}; named models: {", ".join(NAMED_MODELS)}')
        known = NAMED_MODELS[spec['model']]
        return [Entry(safe_name(spec.get('name') or known.name), known.code, known.space, weights, record)]
    if form == 'uniform':
        if not spec.get('space'):
            raise BenchmarkError(f'{where}: a uniform entry needs space=... (e.g. pinas_resnest_tiny)')
        space = build_space(spec['space'])
        codes = [space.format(space.uniform(c)) for c in range(min(space.cardinalities))]
        return [Entry(safe_name(f'{spec.get("name", "uniform")}-{code}'), code, space.name, weights, record)
                for code in codes]
    if form == 'standalone':
        return standalone_entries(spec, where)
    return search_entries(form, spec, search_dir, where)


def standalone_entries(spec: Mapping[str, Any], where: str) -> list[Entry]:
    """One entry per architecture of a stand-alone pretraining runs file (``<table>.runs.json`` of
    ``tools/make_ground_truth.py --keep-checkpoints``), or of those listed in ``archs`` (a file of codes, one per
    line, or a list). Seed ``s`` fine-tunes from the weights that pretraining seed ``s`` kept, and only seeds with
    kept weights run: two seeds are two independent runs of the whole protocol, pretraining included. With
    ``pretrain_seed=P`` every fine-tuning seed starts from the weights pretraining seed ``P`` kept instead (a crossed
    design: the seeds then differ in fine-tuning alone, which splits the protocol's noise into its two stages)."""
    try:
        meta, kept = kept_checkpoints(Path(str(spec['standalone'])))
    except ValueError as err:
        raise BenchmarkError(f'{where}: {err}') from None
    space = build_space(meta['space'])
    wanted = spec.get('archs')
    if wanted is None:
        codes = sorted(kept)
    else:
        try:
            codes = read_code_list(wanted, space) if isinstance(wanted, str) else \
                [table_code(str(c), space) for c in wanted]
        except ValueError as err:  # a missing file or a bad code (TableError, ArchError)
            raise BenchmarkError(f'{where}: archs: {err}') from None
    missing = [c for c in codes if not kept.get(c)]
    if missing:
        raise BenchmarkError(f'{where}: {len(missing)} of {len(codes)} architectures have no kept pretraining '
                             f'weights in {spec["standalone"]} (first: {missing[0]}); finish tools/make_ground_truth.py '
                             '--keep-checkpoints for them first')
    prefix = spec.get('name') or 'standalone'
    fixed = spec.get('pretrain_seed')
    if fixed is None:
        return [Entry(safe_name(f'{prefix}-{code}'), code, space.name, None, {'pretrain': STANDALONE, 'kind': 'arch'},
                      {int(seed): kept[code][seed]['file'] for seed in sorted(kept[code], key=int)})
                for code in codes]
    if isinstance(fixed, bool) or not isinstance(fixed, int):
        raise BenchmarkError(f'{where}: pretrain_seed={fixed!r} must be a pretraining seed (a whole number)')
    lacking = [c for c in codes if str(fixed) not in kept[c]]
    if lacking:
        raise BenchmarkError(f'{where}: pretrain_seed={fixed}: {len(lacking)} of {len(codes)} architectures have no '
                             f'weights of pretraining seed {fixed} in {spec["standalone"]} (first: {lacking[0]}); '
                             f'pretrain them with --seeds {fixed}, or name a seed they have')
    return [Entry(safe_name(f'{prefix}-{code}'), code, space.name, kept[code][str(fixed)]['file'],
                  {'pretrain': STANDALONE, 'kind': 'arch'}) for code in codes]


def search_entries(form: str, spec: Mapping[str, Any], search_dir: str | None, where: str) -> list[Entry]:
    """Architectures of a search: its exports, or the top / bottom ``k`` rows of its ranked table, with the exported
    backbone weights where they exist, else the supernet's (the backbone slices them)."""
    source = spec.get('search') or search_dir
    if not source:
        raise BenchmarkError(f'{where}: a {form!r} entry needs search=DIR (a tools/search.py work dir) or the '
                             'benchmark\'s search_dir')
    work = SearchWorkDir.find(source)
    folder = work.search
    prefix = safe_name(spec.get('name') or work.root.name)
    rows = work.ranked_rows()
    ranks = {str(r['arch']): r['rank'] for r in rows}
    arch_files = work.arch_files()
    spaces = {data.get('space') for data in arch_files.values()} - {None}
    if len(spaces) != 1:
        raise BenchmarkError(f'{where}: cannot tell the space of {folder} from its arch files '
                             f'({work.export_dir.name}/, {work.best_dir.name}/: {sorted(spaces) or "none"})')
    space = spaces.pop()
    record = {'search': str(folder)}
    if form == 'export':
        exports = work.exports()
        if not exports:
            raise BenchmarkError(f'{where}: {work.export_dir} holds no arch files')
        # the export's own backbone file beside its arch file (a copied search dir uses its copy, never the
        # original's file an older arch file names by absolute path)
        return [Entry(safe_name(f'{prefix}-r{ranks.get(d["arch"], "x")}-{d["arch"]}'), str(p), space,
                      str(p.parent / Path(d['backbone_checkpoint']).name) if d.get('backbone_checkpoint') else None,
                      record) for p, d in exports.items()]
    k = int(spec[form])
    chosen = rows[:k] if form == 'top' else rows[-k:]
    supernet = work.latest_checkpoint()
    entries = []
    for row in chosen:
        code = str(row['arch'])
        weights = work.exported_backbone(code) or supernet
        if weights is None:
            raise BenchmarkError(f'{where}: {code} has no exported weights and {work.root} no supernet '
                                 'checkpoint (last_checkpoint) to slice them from')
        entries.append(Entry(safe_name(f'{prefix}-r{row["rank"]}-{code}'), code, space, str(weights), record))
    return entries


def parse_task(spec: str | Mapping[str, Any], where: str) -> Task:
    spec = dict(config=spec) if isinstance(spec, str) else dict(spec)
    unknown = sorted(set(spec) - set(TASK_KEYS))
    if unknown or 'config' not in spec:
        raise BenchmarkError(f'{where}: a task is a config path or a dict with config=... and optionally '
                             f'{", ".join(TASK_KEYS[1:])}; got {sorted(spec)}')
    if not Path(spec['config']).is_file():
        raise FileNotFoundError(f'{where}: config {spec["config"]} does not exist (paths are relative to the '
                                'directory the benchmark runs in, as for tools/train.py)')
    return Task(name=safe_name(spec.get('name') or Path(spec['config']).stem), config=str(spec['config']),
                dataset=spec.get('dataset'), tta=bool(spec.get('tta', False)), amp=bool(spec.get('amp', False)),
                gpus=spec.get('gpus'), cfg_options=dict(spec.get('cfg_options') or {}))


# --- running ------------------------------------------------------------------------------------------------------
def run_in_process(job: Job) -> None:
    """Train (resuming from the job's work dir) and test in this process, through the library."""
    options, work_dir = job.cfg_options(), str(job.work_dir)
    train(load_config(job.task.config, cfg_options=options, work_dir=work_dir, resume=RESUME_LATEST,
                      amp=job.task.amp))
    for tta in (False, True) if job.task.tta else (False,):
        test(load_config(job.task.config, cfg_options=options, work_dir=work_dir), work_dir, tta=tta)


@dataclass(frozen=True)
class Command:
    """One command line of a job, with the environment variables it sets."""
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return shlex.join([*(f'{k}={v}' for k, v in self.env.items()), *self.argv])


GPUS_PER_NODE = 8  # GPUs of a cluster node (tools/slurm_launch.sh's default too)
SLURM_CPUS_PER_TASK = '5'  # srun --cpus-per-task unless CPUS_PER_TASK is set, as tools/slurm_launch.sh


def job_commands(job: Job, launcher: str, gpus: int, partition: str | None) -> list[Command]:
    """The command lines of one job, in order: train (resuming from its work dir), test, and a --tta test if the
    task has one. Each runs the module entry point ``python -m downstream train|test`` (what tools/train.py and
    tools/test.py run): as it is ('none'), under torchrun through :mod:`pinas.utils.launch` ('pytorch', as
    tools/dist_*.sh) or under srun ('slurm', as tools/slurm_*.sh; environment CPUS_PER_TASK and SRUN_ARGS)."""
    options = ['--cfg-options', *(f'{k}={v}' for k, v in job.cfg_options().items())]
    config, work_dir = job.task.config, str(job.work_dir)
    lines = [['train', config, '--work-dir', work_dir, '--resume', *(['--amp'] if job.task.amp else []), *options],
             *[['test', config, work_dir, '--work-dir', work_dir, *(['--tta'] if tta else []), *options]
               for tta in ((False, True) if job.task.tta else (False,))]]
    if launcher == 'none':
        return [Command(('python', *ENTRY, *line)) for line in lines]
    if launcher == 'pytorch':
        launch = ('python', '-m', 'pinas.utils.launch', f'--nproc_per_node={gpus}', *ENTRY)
        return [Command((*launch, *line[:2], '--launcher', 'pytorch', *line[2:])) for line in lines]
    if not partition:
        raise BenchmarkError('--launcher slurm needs a partition: --partition NAME or launch.partition in the '
                             'benchmark config')
    per_node = min(gpus, GPUS_PER_NODE)
    srun = ('srun', '-p', partition, f'--job-name={safe_name(job.label)}', f'--gres=gpu:{per_node}',
            f'--ntasks={gpus}', f'--ntasks-per-node={per_node}',
            f'--cpus-per-task={os.environ.get("CPUS_PER_TASK", SLURM_CPUS_PER_TASK)}', '--kill-on-bad-exit=1',
            *shlex.split(os.environ.get('SRUN_ARGS', '')), 'python', '-u', *ENTRY)
    return [Command((*srun, *line[:2], '--launcher=slurm', *line[2:])) for line in lines]


def run_commands(job: Job, commands: Sequence[Command]) -> None:
    """Run a job's commands one after the other with this Python and its packages, their output in the job's
    ``benchmark.log``."""
    log = job.work_dir / 'benchmark.log'
    job.work_dir.mkdir(parents=True, exist_ok=True)
    for command in commands:
        env = dict(os.environ, PET_MASTER_PORT=_free_port(), **command.env,  # torchrun's --master_port
                   PYTHONPATH=child_pythonpath('pinas', 'downstream'))
        argv = [sys.executable if arg == 'python' else arg for arg in command.argv]
        with log.open('a') as handle:
            handle.write(f'$ {command}\n')
            handle.flush()
            result = subprocess.run(argv, env=env, stdout=handle, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            lines = [line.strip() for line in log.read_text().splitlines() if line.strip()]
            raise RuntimeError(f'{" ".join(command.argv[:4])} exited with {result.returncode} '
                               f'({lines[-1] if lines else "no output"}); log: {log}')


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def _clock(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def _summary(record: Record) -> str:
    primary = TASKS[record.task].primary
    return f'{primary} {record.metrics[primary]:.2f}'


def run_benchmark(bench: Benchmark, *, launcher: str = 'none', gpus: int | None = None,
                  partition: str | None = None, print_commands: bool = False, shard: tuple[int, int] | None = None,
                  echo: Callable[[str], None] = lambda line: print(line, flush=True)) -> int:
    """Run (or print the commands of) every job without a record, reporting progress and an ETA; a failed job is
    reported and the others go on. Returns the number of failed jobs. ``gpus`` (processes per job) overrides the
    tasks' and the config's; ``shard=(K, N)`` runs only every N-th job from the K-th, so that N processes (or
    nodes) share a benchmark: each job has its own work dir, and a job's record marks it done for all of them."""
    def processes(job: Job) -> int:
        return gpus or job.task.gpus or bench.gpus

    partition = partition or bench.partition
    jobs = bench.jobs if shard is None else bench.jobs[shard[0]::shard[1]]
    total = len(jobs)
    stale, unchecked = stale_records(jobs, launcher)
    pending = [job for job in jobs if job.record() is None or job.label in stale or job.label in unchecked]
    entries, tasks, seeds = bench.counts
    of_shard = '' if shard is None else f' (shard {shard[0]}/{shard[1]} of {len(bench.jobs)})'
    echo(f'{LOG} {bench.name}: {total} jobs{of_shard} ({entries} entries x {tasks} tasks x {seeds} seeds) in '
         f'{bench.work_dir}; {total - len(pending)} have records, {len(pending)} to run'
         + (f' ({len(stale)} of them over records their inputs no longer produce)' if stale else ''))
    if print_commands:
        for job in pending:
            commands = job_commands(job, launcher, processes(job), partition)
            why = f' (rerun: {stale[job.label]}; move {job.work_dir} aside first, or its checkpoints are resumed)' \
                if job.label in stale else ''
            echo(f'# {job.label}{why}\n' + ' && \\\n    '.join(map(str, commands)))
        return 0
    failed, durations = [], []
    for number, job in enumerate(jobs, 1):
        if job not in pending:
            echo(f'{LOG} {number}/{total} skip {job.label}: has a record ({_summary(job.record())})')
            continue
        if job.label in stale:
            moved = set_aside(job.work_dir)
            echo(f'{LOG} {number}/{total} rerun {job.label}: {stale[job.label]}; the old run is moved to {moved} '
                 f'(its record renamed {RECORD_FILE}{REPLACED}): delete that folder to discard it')
        else:
            echo(f'{LOG} {number}/{total} run  {job.label}'
                 + (f' ({unchecked[job.label]})' if job.label in unchecked else ''))
        start = time.perf_counter()
        try:
            if launcher == 'none':
                run_in_process(job)
            else:
                run_commands(job, job_commands(job, launcher, processes(job), partition))
            record = job.record()
            if record is None:
                raise RuntimeError(f'no valid {RECORD_FILE} in {job.work_dir} after its test; its log says why')
        except Exception as err:  # one job's failure must not stop the others
            job.work_dir.mkdir(parents=True, exist_ok=True)
            (job.work_dir / ERROR_LOG).write_text(traceback.format_exc())
            failed.append(job)
            echo(f'{LOG} {number}/{total} FAILED {job.label}: {one_line(err)} (traceback: {job.work_dir / ERROR_LOG})')
            continue
        finally:
            durations.append(time.perf_counter() - start)
        eta = sum(durations) / len(durations) * (len(pending) - len(durations))
        echo(f'{LOG} {number}/{total} done {job.label} in {_clock(durations[-1])} ({_summary(record)}); '
             f'ETA {_clock(eta)}')
    echo(f'{LOG} finished: {total - len(failed)}/{total} jobs have records'
         + (f'; {len(failed)} failed: ' + ', '.join(j.label for j in failed) if failed else ''))
    return len(failed)


def stale_records(jobs: Sequence[Job], launcher: str = 'none') -> tuple[dict[str, str], dict[str, str]]:
    """``(stale, unchecked)``: the labels of the jobs whose record another key produced (:meth:`Job.key`), each with
    what changed on one line, and of those whose key cannot be computed (their weights are gone), each with why.
    A stale job reruns from nothing; an unchecked one runs as it is (and fails on what is missing, its record
    left in place)."""
    stale, unchecked, cache = {}, {}, {}
    for job in jobs:
        record = job.record()
        if record is None:
            continue
        try:
            key = job.key(launcher, cache)
            if record.config_sha256 != key['config_sha256'] and record.config_sha256 in job.config_hashes(cache):
                key['config_sha256'] = record.config_sha256  # made under the other kind of launcher
            changes = key_changes(record, key)
        except BenchmarkError as err:
            unchecked[job.label] = str(err)
            continue
        if changes:
            stale[job.label] = describe(changes, stored_as='record')
    return stale, unchecked


def export_records(bench: Benchmark, out: Path, echo: Callable[[str], None] = print) -> int:
    """Copy every job's record to ``out`` under the job's path relative to the work dir; 0."""
    if out.exists() and not out.is_dir():
        raise BenchmarkError(f'--export-records {out} is a file; give a directory (records are copied under it by '
                             'task, entry and seed)')
    done = [job for job in bench.jobs if job.record() is not None]
    for job in done:
        target = out / job.work_dir.relative_to(bench.work_dir) / RECORD_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, (job.work_dir / RECORD_FILE).read_bytes())
    echo(f'{LOG} exported {len(done)} record(s) of {len(bench.jobs)} jobs to {out}')
    return 0


def benchmark_parser() -> ArgumentParser:
    parser = ArgumentParser(description='Run a transfer benchmark (configs/benchmarks/): every entry x task x seed '
                                        'trained and tested, one record each; jobs with records are skipped')
    parser.add_argument('config', help='benchmark config, e.g. configs/benchmarks/smoke_cpu.py')
    parser.add_argument('--work-dir', help='where the jobs go (default: the config\'s work_dir, else '
                                           'work_dirs/benchmarks/<config name>)')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='how each job starts: in this process (none), under torchrun (pytorch, as '
                             'tools/dist_train.sh; gloo on CPU hosts) or srun (slurm, as tools/slurm_train.sh)')
    parser.add_argument('--gpus', type=positive_int,
                        help='processes per job for pytorch / slurm (default: the task\'s gpus, else launch.gpus '
                             'of the config, else 1)')
    parser.add_argument('--partition', help='slurm partition (default: launch.partition of the config)')
    parser.add_argument('--shard', type=parse_shard, metavar='K/N',
                        help='run only every N-th job from the K-th (0 <= K < N): N processes or nodes share the '
                             'benchmark, e.g. two CPU workers with --shard 0/2 and --shard 1/2')
    parser.add_argument('--export-records', metavar='DIR',
                        help='copy the records of the jobs that have one to DIR (same layout as the work dir) and '
                             'exit: the results to commit, without checkpoints or logs')
    parser.add_argument('--print-commands', action='store_true',
                        help='print the commands of the jobs without records instead of running them')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction, metavar='KEY=VALUE',
                        help='override benchmark config entries, e.g. seeds=[0,1] search_dir=work_dirs/pinas')
    return parser


def benchmark_main(argv: Sequence[str] | None = None) -> int:
    """``tools/benchmark.py``: exit status 0 when every job has a record, else 1."""
    args = benchmark_parser().parse_args(argv)
    bench = load_benchmark(args.config, work_dir=args.work_dir, cfg_options=args.cfg_options)
    if args.export_records:
        return export_records(bench, Path(args.export_records))
    failed = run_benchmark(bench, launcher=args.launcher, gpus=args.gpus, partition=args.partition,
                           print_commands=args.print_commands, shard=args.shard)
    return EXIT_FAILURE if failed else 0
