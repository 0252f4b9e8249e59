"""A result record: one evaluation of one architecture on one task, with everything needed to trust and compare it.

Records are the leaderboard's only input: ``tools/test.py`` writes one per run (``source='run'``), the paper numbers
are records too (``source='paper'``, with a citation), and ``tools/leaderboard.py`` reads nothing else. The schema is
versioned; a record that breaks it is a :class:`RecordError` naming the file and the field.

Metrics use one canonical name each (:data:`METRICS`), in percent, whatever library produced them.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from pinas.utils.files import atomic_write_json

SCHEMA_VERSION = 1
RECORD_FILE = 'record.json'  # a record is ``record.json`` or ``<name>.record.json``
RECORD_GLOB = '*record.json'
SOURCES = ('run', 'paper')
PROVENANCE_KINDS = ('search', 'arch', 'baseline', 'paper')

# canonical metric name -> label people read (OpenMMLab metafile spelling where one exists)
METRICS = {
    'box_AP': 'box AP', 'box_AP50': 'box AP50', 'box_AP75': 'box AP75',
    'box_APs': 'box APs', 'box_APm': 'box APm', 'box_APl': 'box APl',
    'mask_AP': 'mask AP', 'mask_AP50': 'mask AP50', 'mask_AP75': 'mask AP75',
    'mask_APs': 'mask APs', 'mask_APm': 'mask APm', 'mask_APl': 'mask APl',
    'mIoU': 'mIoU', 'mAcc': 'mAcc', 'aAcc': 'aAcc', 'mIoU_ms_flip': 'mIoU(ms+flip)',
    'top1': 'Top 1 Accuracy', 'top5': 'Top 5 Accuracy',
}


@dataclass(frozen=True)
class Task:
    """A downstream task: its metafile title and the metric its leaderboard is sorted by (higher is better)."""
    name: str
    title: str
    primary: str


TASKS = {t.name: t for t in (
    Task('object_detection', 'Object Detection', 'box_AP'),
    Task('instance_segmentation', 'Instance Segmentation', 'mask_AP'),
    Task('semantic_segmentation', 'Semantic Segmentation', 'mIoU'),
    Task('image_classification', 'Image Classification', 'top1'),
)}


class RecordError(ValueError):
    """A record that does not follow the schema; the message names the file and the field."""


@dataclass(frozen=True)
class Provenance:
    """Where the architecture came from: a search (method, supernet, its score and rank), an arch file, a
    baseline such as ResNeSt-50, or a paper."""
    kind: str
    method: Optional[str] = None          # pinas / spos / cept / ... for kind='search'
    supernet_sha256: Optional[str] = None
    score: Optional[float] = None         # the architecture's search score
    score_name: Optional[str] = None      # what the score is (knn, top1, ...)
    rank: Optional[int] = None            # 1-based rank in its search's ranked table
    ranked_file: Optional[str] = None


@dataclass(frozen=True)
class Record:
    """One evaluation. ``None`` means "not recorded"; :meth:`validate` says which fields a run must have."""
    source: str
    name: str
    space: str
    arch: str
    task: str
    dataset: str
    split: str
    metrics: Mapping[str, float]
    provenance: Provenance
    params_M: Optional[float] = None
    flops_G: Optional[float] = None       # multiply-accumulates of the backbone at input_size
    input_size: Optional[tuple] = None    # (height, width)
    config: Optional[str] = None
    config_sha256: Optional[str] = None
    schedule: Optional[Mapping[str, int]] = None  # {'iters': n} or {'epochs': n}
    gpus: Optional[int] = None
    batch_per_gpu: Optional[int] = None
    amp: Optional[bool] = None
    seed: Optional[int] = None
    git_commit: Optional[str] = None
    git_dirty: Optional[bool] = None      # tracked files differed from git_commit when the record was written
    dataset_fingerprint: Optional[str] = None  # hash of the training and scored data's annotations (comparability)
    environment: Optional[Mapping[str, str]] = None  # versions it ran with: torch, CUDA, cuDNN, mm*, timm, GPU
    wall_time_s: Optional[float] = None   # the evaluation (test) run
    train_wall_time_s: Optional[float] = None  # the training run up to the checkpoint (over resumes)
    peak_memory_MB: Optional[float] = None
    checkpoint: Optional[str] = None
    checkpoint_sha256: Optional[str] = None
    pipeline: Optional[str] = None        # e.g. 'mmdet 3.3.0'; a paper row's own pipeline (detectron2, ...)
    pretrain: Optional[str] = None        # supernet-inherited / standalone / imagenet / scratch
    pretrained_checkpoint: Optional[str] = None  # the backbone's initial weights (a local file) and their sha256
    pretrained_sha256: Optional[str] = None
    # the data a stand-alone pretraining run trained on (its checkpoint's dataset fingerprint): a transfer ground
    # truth is one experiment only if every run was pretrained on the same data
    pretrained_dataset_fingerprint: Optional[str] = None
    citation: Optional[str] = None
    schema_version: int = SCHEMA_VERSION
    origin: str = field(default='<memory>', compare=False)  # the file it was read from; not serialised

    REQUIRED_FOR_RUN = ('params_M', 'flops_G', 'input_size', 'config', 'config_sha256', 'schedule', 'gpus',
                        'batch_per_gpu', 'amp', 'seed', 'checkpoint_sha256', 'pipeline')

    # --- identity -----------------------------------------------------------------------------------------------
    @property
    def setting(self) -> tuple:
        """What makes two records the same experiment up to the seed: they are aggregated as mean +- std."""
        return (self.source, self.space, self.arch, self.task, self.dataset, self.split, self.config_sha256,
                self.provenance.method)

    @property
    def key(self) -> tuple:
        """Two records with one key are duplicates (reported, never silently merged)."""
        return self.setting + (self.seed,)

    @property
    def primary_metric(self) -> str:
        return TASKS[self.task].primary

    # --- (de)serialisation --------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data.pop('origin')
        if self.input_size is not None:
            data['input_size'] = list(self.input_size)
        data['metrics'] = dict(self.metrics)
        return data

    @classmethod
    def from_dict(cls, data: Any, origin: str = '<memory>') -> 'Record':
        """Build and validate a record from its JSON form; errors name ``origin`` and the field."""
        def fail(name: str, problem: str):
            raise RecordError(f'{origin}: field "{name}": {problem}')

        if not isinstance(data, Mapping):
            raise RecordError(f'{origin}: a record is a JSON object, got {type(data).__name__}')
        version = data.get('schema_version', SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            fail('schema_version', f'is {version!r}; this pinas reads version {SCHEMA_VERSION}')
        names = {f.name for f in dataclasses.fields(cls)} - {'origin'}
        unknown = sorted(set(data) - names)
        if unknown:
            fail(unknown[0], f'is not in schema version {SCHEMA_VERSION} (fields: {", ".join(sorted(names))})')
        provenance = data.get('provenance')
        if not isinstance(provenance, Mapping):
            fail('provenance', f'must be an object with "kind" ({"/".join(PROVENANCE_KINDS)})')
        prov_names = {f.name for f in dataclasses.fields(Provenance)}
        bad = sorted(set(provenance) - prov_names)
        if bad:
            fail(f'provenance.{bad[0]}', f'is unknown (fields: {", ".join(sorted(prov_names))})')
        if 'kind' not in provenance:
            fail('provenance.kind', 'is missing')
        kwargs = dict(data)
        kwargs['provenance'] = Provenance(**provenance)
        if isinstance(kwargs.get('input_size'), list):
            kwargs['input_size'] = tuple(kwargs['input_size'])
        missing = [f.name for f in dataclasses.fields(cls)
                   if f.default is dataclasses.MISSING and f.name not in kwargs]
        if missing:
            fail(missing[0], 'is missing')
        record = cls(**kwargs, origin=origin)
        record.validate()
        return record

    # --- validation ---------------------------------------------------------------------------------------------
    def validate(self) -> 'Record':
        """Raise :class:`RecordError` on the first field that breaks the schema; returns self."""
        def fail(name: str, problem: str):
            raise RecordError(f'{self.origin}: field "{name}": {problem}')

        def is_number(value) -> bool:
            return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

        if self.source not in SOURCES:
            fail('source', f'is {self.source!r}; use one of {", ".join(SOURCES)}')
        for name in ('name', 'space', 'arch', 'dataset', 'split'):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                fail(name, 'must be a non-empty string')
        if self.task not in TASKS:
            fail('task', f'is {self.task!r}; known tasks: {", ".join(TASKS)}')
        if self.provenance.kind not in PROVENANCE_KINDS:
            fail('provenance.kind', f'is {self.provenance.kind!r}; use one of {", ".join(PROVENANCE_KINDS)}')
        if self.provenance.score is not None and not is_number(self.provenance.score):
            fail('provenance.score', f'is {self.provenance.score!r}, not a finite number')
        if self.provenance.rank is not None and (not isinstance(self.provenance.rank, int)
                                                 or self.provenance.rank < 1):
            fail('provenance.rank', f'is {self.provenance.rank!r}; ranks start at 1')
        if not isinstance(self.metrics, Mapping) or not self.metrics:
            fail('metrics', 'must be a non-empty object of metric name -> number')
        for metric, value in self.metrics.items():
            if metric not in METRICS:
                fail(f'metrics.{metric}', f'is not a known metric ({", ".join(METRICS)})')
            if not is_number(value):
                fail(f'metrics.{metric}', f'is {value!r}, not a finite number')
        if self.primary_metric not in self.metrics:
            fail(f'metrics.{self.primary_metric}', f'is missing: the {self.task} leaderboard is sorted by it')
        for name in ('params_M', 'flops_G', 'wall_time_s', 'train_wall_time_s', 'peak_memory_MB'):
            value = getattr(self, name)
            if value is not None and (not is_number(value) or value < 0):
                fail(name, f'is {value!r}, not a non-negative number')
        if self.input_size is not None and (len(self.input_size) != 2
                                            or not all(isinstance(v, int) and v > 0 for v in self.input_size)):
            fail('input_size', f'is {self.input_size!r}; expected [height, width]')
        if self.schedule is not None:
            if (not isinstance(self.schedule, Mapping) or len(self.schedule) != 1
                    or next(iter(self.schedule)) not in ('iters', 'epochs')
                    or not isinstance(next(iter(self.schedule.values())), int)):
                fail('schedule', f'is {self.schedule!r}; expected {{"iters": N}} or {{"epochs": N}}')
        for name in ('gpus', 'batch_per_gpu', 'seed'):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                fail(name, f'is {value!r}, not an integer')
        if self.environment is not None and (not isinstance(self.environment, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.environment.items())):
            fail('environment', f'is {self.environment!r}; expected an object of name -> version string')
        for name in ('amp', 'git_dirty'):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                fail(name, f'is {value!r}, not true/false')
        if self.dataset_fingerprint is not None and (not isinstance(self.dataset_fingerprint, str)
                                                     or not self.dataset_fingerprint):
            fail('dataset_fingerprint', f'is {self.dataset_fingerprint!r}, not a non-empty string')
        if self.source == 'run':
            for name in self.REQUIRED_FOR_RUN:
                if getattr(self, name) is None:
                    fail(name, 'is required for a record of a run')
        if self.source == 'paper' and not self.citation:
            fail('citation', 'is required for a paper record (where the number was published)')
        return self


def save_record(record: Record, path: str | Path) -> Path:
    """Validate and write ``record`` atomically; returns the path."""
    path = Path(path)
    record.validate()
    atomic_write_json(path, record.to_dict())
    return path


def load_record(path: str | Path) -> Record:
    import json
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise RecordError(f'{path}: no such record file') from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise RecordError(f'{path}: not a JSON record ({err})') from None
    return Record.from_dict(data, origin=str(path))


def find_records(paths: Iterable[str | Path]) -> list[Path]:
    """Record files under each path (a directory, searched recursively, or a record file), sorted per path.

    A directory with no record is an error: a typo in a path must not give a leaderboard with a row missing.
    """
    found = []
    for path in map(Path, paths):
        if path.is_file():
            found.append(path)
            continue
        if not path.is_dir():
            raise RecordError(f'{path}: no such records directory or file')
        files = sorted(p for p in path.rglob(RECORD_GLOB) if p.is_file())
        if not files:
            raise RecordError(f'{path}: contains no records (files named {RECORD_FILE} or *.{RECORD_FILE}); '
                              'tools/test.py writes one beside test_metrics.json')
        found.extend(files)
    return found


def load_records(paths: Iterable[str | Path]) -> list[Record]:
    """Every record under ``paths``, validated (the first bad one raises, naming its file)."""
    return [load_record(p) for p in find_records(paths)]
