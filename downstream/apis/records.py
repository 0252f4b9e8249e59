"""The result record (:class:`pinas.leaderboard.record.Record`) of a transfer run, written beside its metrics.

``tools/test.py`` writes ``<work_dir>/record.json`` after scoring a checkpoint, and ``tools/train.py`` does at the
end of a run that validated its final checkpoint (a later test in the same work dir replaces it). Everything in a
record is measured or read, never typed in:

* the architecture and space from the built backbone; params and MACs of the backbone at the task's input size;
* where the architecture came from: a search (its ranked table, score, rank and supernet, found from the arch file
  of an ``export/`` dir or from ``record.search``), or what the config's ``record`` entry says;
* task, dataset and split from the config's dataloader, every metric under its canonical name in percent;
* GPUs x batch per GPU, AMP and the schedule of the *training* run: :class:`RecordHook` stores them in the meta of
  every checkpoint it saves, and the test reads them back, so a record cannot claim a setup its checkpoint lacks;
  likewise the training wall time up to that checkpoint and the fingerprint of the training data;
* the dataset fingerprint (:func:`data_fingerprint` of the training data and of the data scored) and the code
  state (commit, and whether the tree differed from it), so that the leaderboard averages only seeds that can be
  shown to have seen the same data;
* the resolved config's hash without the keys that differ between runs of one experiment (work dir, seed, ...).

A record is only written for a checkpoint that loaded strictly (:class:`StrictLoadHook`).

A benchmark (or a user) passes what a config cannot know in its ``record`` entry, one flat dict, e.g.
``--cfg-options record.name=pinas-r1 record.kind=baseline``; the keys are :data:`RECORD_OPTIONS`.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import importlib
import json
import logging
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any, Mapping

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import BaseTTAModel, is_model_wrapper, revert_sync_batchnorm
from mmengine.optim import AmpOptimWrapper, OptimWrapperDict
from mmengine.runner import IterBasedTrainLoop

from pinas.complexity import measure_complexity
from pinas.leaderboard.record import RECORD_FILE, Provenance, Record, RecordError, load_record, save_record
from pinas.models import CheckpointMismatchError
from pinas.search.work_dir import SearchWorkDir
from pinas.spaces import named_arch
from pinas.utils import get_dist_info
from pinas.utils.checkpoint import load_checkpoint_file
from pinas.utils.paths import resolve_stored, stored_path
from pinas.utils.provenance import files_fingerprint, fingerprint, git_commit, git_dirty, tree_fingerprint

from .config import pretrained_checkpoint

RECORD_KEY = 'record'  # the config entry a benchmark (or a user) passes record options in
RECORD_OPTIONS = {
    'name': 'the row name (default: the paper name of a known architecture, else its code)',
    'kind': 'provenance kind: search / arch / baseline / paper (default: search when a search is found, else arch)',
    'method': 'the method that proposed the architecture (pinas, spos, ...), for kinds other than search',
    'search': 'a search work dir (or its search/ dir) whose ranked table ranks this architecture',
    'dataset': 'the dataset name (default: from the dataset class, and the size of a generated dataset)',
    'pretrain': 'how the backbone was pretrained (default: supernet-inherited with backbone weights, else scratch)',
}
TRAIN_SETUP_META = 'pinas_train_setup'  # checkpoint meta key of the training setup
TRAIN_WALL_TIME = 'train_wall_time_s'  # setup key: training seconds up to the checkpoint (None: not known)
TRAIN_DATA = 'train_data_fingerprint'  # setup key: data_fingerprint of the training dataloader
# Keys of a resolved config that differ between runs of one experiment: left out of its hash.
RUN_LOCAL_KEYS = ('work_dir', 'launcher', 'load_from', 'resume', RECORD_KEY)
METRIC_DECIMALS = 2  # mmseg reports percent with two decimals; COCO's 0-1 values (three decimals) fit as well
COCO_ABSENT = -1  # pycocotools' value for an area range without ground truth
# mmdet CocoMetric (0-1, "coco/" prefix dropped) and mmseg IoUMetric (percent) names -> canonical names
COCO_METRICS = {f'{iou}_{name}': f'{kind}_{canon}'
                for iou, kind in (('bbox', 'box'), ('segm', 'mask'))
                for name, canon in (('mAP', 'AP'), ('mAP_50', 'AP50'), ('mAP_75', 'AP75'), ('mAP_s', 'APs'),
                                    ('mAP_m', 'APm'), ('mAP_l', 'APl'))}
SEG_METRICS = {'mIoU': 'mIoU', 'mAcc': 'mAcc', 'aAcc': 'aAcc'}
TTA_SEG_METRICS = {'mIoU': 'mIoU_ms_flip'}  # multi-scale + flip: only mIoU has a canonical name
DATASET_NAMES = {'CocoDataset': 'COCO', 'ADE20KDataset': 'ADE20K', 'CityscapesDataset': 'Cityscapes'}
GENERATED_SPEC_FILE = 'dataset_spec.json'  # what downstream.datasets.make_tiny_datasets writes at its root
GENERATED_SPEC_DEPTH = 3  # how far above a data root the spec may sit (ade/ADEChallengeData2016 is two levels)
SCRATCH, INHERITED = 'scratch', 'supernet-inherited'
STANDALONE = 'standalone'  # pretrained as the stand-alone network it is (tools/make_ground_truth.py --keep-checkpoints)
MiB = 2 ** 20
WALL_TIME_DECIMALS = 1  # seconds
SHOWN_KEYS = 3  # keys named in a strict-load error


# --- training side ----------------------------------------------------------------------------------------------
class RecordHook(Hook):
    """Stores the training setup in the meta of every checkpoint saved, and keeps the last validation metrics with
    the iteration they were measured at.

    The setup includes the training wall time up to the checkpoint: this process's time since training began plus,
    after a resume, what the resumed checkpoint says was spent before (unknown, and so None, when it does not say),
    and the fingerprint of the training data, hashed once by the main process."""

    def __init__(self):
        self.val_metrics: dict | None = None
        self.val_iter: int | None = None
        self._loaded_setup: Mapping = {}
        self._spent_before: float | None = 0.0
        self._start: float | None = None
        self._train_data: str | None = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded_setup = dict((checkpoint.get('meta') or {}).get(TRAIN_SETUP_META) or {})

    def before_train(self, runner) -> None:
        resumed = runner.iter > 0 or runner.epoch > 0  # a checkpoint loaded with load_from starts at 0
        self._spent_before = self._loaded_setup.get(TRAIN_WALL_TIME) if resumed else 0.0
        self._start = time.perf_counter()
        if get_dist_info().is_main:
            self._train_data = data_fingerprint(runner.cfg, 'train_dataloader')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.setdefault('meta', {})
        by_iter = isinstance(runner.train_loop, IterBasedTrainLoop)
        wrappers = runner.optim_wrapper.values() if isinstance(runner.optim_wrapper, OptimWrapperDict) \
            else [runner.optim_wrapper]
        meta[TRAIN_SETUP_META] = dict(
            gpus=runner.world_size,
            batch_per_gpu=runner.cfg.train_dataloader.batch_size,
            amp=any(isinstance(w, AmpOptimWrapper) for w in wrappers),
            schedule={'iters': meta['iter']} if by_iter else {'epochs': meta['epoch']},
            **{TRAIN_WALL_TIME: self.train_wall_time_s(), TRAIN_DATA: self._train_data})

    def train_wall_time_s(self) -> float | None:
        """Seconds of training so far, over every resume; None when a resumed checkpoint did not record its own."""
        if self._spent_before is None or self._start is None:
            return None
        return round(self._spent_before + time.perf_counter() - self._start, WALL_TIME_DECIMALS)

    def after_val_epoch(self, runner, metrics: Mapping | None = None) -> None:
        self.val_metrics, self.val_iter = dict(metrics or {}), runner.iter


# --- test side ----------------------------------------------------------------------------------------------------
class StrictLoadHook(Hook):
    """Refuses a checkpoint whose weights do not all fit the model (mmengine loads non-strictly and, asked to be
    strict, raises on rank 0 only); keeps the checkpoint's meta. Runs after the other hooks revised the checkpoint.
    """
    priority = 'LOWEST'

    def __init__(self, filename: str):
        self.filename = filename
        self.meta: dict = {}

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        model = model.module if isinstance(model, BaseTTAModel) else model
        own = model.state_dict()
        given = {(k[len('module.'):] if k.startswith('module.') else k): v  # mmengine's revise_keys default
                 for k, v in checkpoint.get('state_dict', checkpoint).items()}
        missing = [k for k in own if k not in given and not k.endswith('num_batches_tracked')]
        unexpected = [k for k in given if k not in own]
        shapes = [k for k in own if k in given and tuple(given[k].shape) != tuple(own[k].shape)]
        if missing or unexpected or shapes:
            problems = [f'{len(keys)} {what} (e.g. {", ".join(keys[:SHOWN_KEYS])})'
                        for what, keys in (('missing', missing), ('unexpected', unexpected),
                                           ('of another shape', shapes)) if keys]
            raise CheckpointMismatchError(
                f'{self.filename} is not a checkpoint of this config\'s {type(model).__name__} '
                f'({len(own)} entries): {"; ".join(problems)}; pass a checkpoint tools/train.py wrote for this '
                'config (backbone weights, exported or a supernet, go in model.backbone.init_cfg.checkpoint for '
                'training)')
        self.meta = dict(checkpoint.get('meta') or {})


class RunMeter:
    """Wall time and peak memory of one run: CUDA's max allocated on a GPU, else the process's max RSS."""

    def __init__(self):
        self.start = time.perf_counter()
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()

    def wall_time_s(self) -> float:
        return round(time.perf_counter() - self.start, WALL_TIME_DECIMALS)

    @staticmethod
    def peak_memory_MB() -> float:
        if torch.cuda.is_available():
            return round(torch.cuda.max_memory_allocated() / MiB, 1)
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


# --- what a record holds ------------------------------------------------------------------------------------------
def canonical_metrics(metrics: Mapping[str, Any], tta: bool = False) -> dict[str, float]:
    """mmdet / mmseg metrics under the names of :data:`pinas.leaderboard.record.METRICS`, in percent; others and
    pycocotools' "absent" values are left out."""
    seg = TTA_SEG_METRICS if tta else SEG_METRICS
    out = {}
    for key, value in metrics.items():
        name = key.split('/')[-1]
        try:
            value = float(value)  # numpy scalars, too
        except (TypeError, ValueError):
            continue
        if name in COCO_METRICS and value != COCO_ABSENT:
            out[COCO_METRICS[name]] = round(value * 100, METRIC_DECIMALS)
        elif name in seg:
            out[seg[name]] = round(value, METRIC_DECIMALS)
    return out


def task_of(cfg: Config) -> str:
    """The record task of an mmdet / mmseg config: a model with a mask head segments instances."""
    scope = cfg.get('default_scope')
    if scope == 'mmseg':
        return 'semantic_segmentation'
    if scope == 'mmdet':
        return 'instance_segmentation' if _has_key(cfg.model, 'mask_head') else 'object_detection'
    raise RecordError(f'{cfg.filename}: default_scope is {scope!r}; records know mmdet and mmseg configs')


def _has_key(node, key: str) -> bool:
    if isinstance(node, Mapping):
        return (key in node and node[key] is not None) or any(_has_key(v, key) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_key(v, key) for v in node)
    return False


def dataset_and_split(cfg: Config, loader: str) -> tuple[str, str]:
    """Dataset name (its class, plus the size of a generated dataset) and split (the image folder) of a loader."""
    dataset = cfg[loader].dataset
    while 'dataset' in dataset:  # wrappers such as RepeatDataset
        dataset = dataset.dataset
    name = DATASET_NAMES.get(dataset.type, dataset.type)
    root = Path(dataset.get('data_root', ''))
    for folder in [root, *root.parents][:GENERATED_SPEC_DEPTH]:
        if (folder / GENERATED_SPEC_FILE).is_file():
            spec = json.loads((folder / GENERATED_SPEC_FILE).read_text()).get('spec', {})
            name = f'{name}-{spec.get("size", "generated")}'
            break
    prefix = dataset.get('data_prefix', {})
    images = prefix.get('img') or prefix.get('img_path')
    split = Path(images).name if images else Path(dataset.get('ann_file') or 'test').stem
    return name, split


def _leaf_datasets(dataset: Mapping) -> list[Mapping]:
    """The datasets a dataset config reads, unwrapped from RepeatDataset-like (``dataset``) and ConcatDataset-like
    (``datasets``) wrappers."""
    if 'dataset' in dataset:
        return _leaf_datasets(dataset['dataset'])
    if 'datasets' in dataset:
        return [leaf for inner in dataset['datasets'] for leaf in _leaf_datasets(inner)]
    return [dataset]


def data_fingerprint(cfg: Config, loader: str) -> str | None:
    """A short hash of the annotations ``cfg[loader]`` reads, cheap and independent of where the data sits: a
    COCO-style ``ann_file`` (its JSON names every image and object) or a segmentation split file, and every file
    of a segmentation dataset's annotation folder (``data_prefix.seg_map_path``: names and contents). Generated
    tiny datasets are files like any other. None where it cannot be computed (remote data, or a dataset with
    neither): a record then proves nothing rather than something false."""
    parts = []
    for dataset in _leaf_datasets(cfg[loader].dataset):
        root = str(dataset.get('data_root') or '')
        ann_file = dataset.get('ann_file')
        seg_maps = (dataset.get('data_prefix') or {}).get('seg_map_path')
        if '://' in root or not (ann_file or seg_maps):
            return None
        parts.append(dict(ann_file=files_fingerprint([Path(root) / ann_file]) if ann_file else None,
                          seg_maps=tree_fingerprint(Path(root) / seg_maps) if seg_maps else None))
    return fingerprint(parts)


def record_data_fingerprint(cfg: Config, loader: str, setup: Mapping) -> str | None:
    """The record's dataset fingerprint: the training data (from the checkpoint's setup) and the data scored
    together; None when the checkpoint does not say what it was trained on, or the scored data cannot be hashed."""
    train, scored = setup.get(TRAIN_DATA), data_fingerprint(cfg, loader)
    return None if train is None or scored is None else fingerprint(dict(train=train, scored=scored))


def input_size_of(cfg: Config) -> tuple[int, int]:
    """(height, width) the task feeds the backbone: the segmentor's crop, else the test pipeline's resize."""
    size = cfg.model.get('data_preprocessor', {}).get('size')
    if size:
        return int(size[0]), int(size[1])
    for step in cfg.get('test_pipeline') or cfg.test_dataloader.dataset.pipeline:
        if step.get('type') == 'Resize' and step.get('scale'):
            width, height = step['scale']  # mmcv scales are (width, height)
            return int(height), int(width)
    raise RecordError(f'{cfg.filename}: no input size (model.data_preprocessor.size or a Resize scale in '
                      'test_pipeline) to count the backbone\'s FLOPs at')


def backbone_of(model):
    """The backbone of a built detector / segmentor (unwrapped from DDP and TTA wrappers)."""
    model = model.module if is_model_wrapper(model) else model
    return (model.module if isinstance(model, BaseTTAModel) else model).backbone


def config_hash(cfg: Config) -> str:
    """sha256 of the resolved config without :data:`RUN_LOCAL_KEYS` and the seed: one value for every run (and
    seed) of one experiment. A stand-alone pretrained backbone starts from its own pretraining run of the seed, so
    its initial weights vary with the seed too (the record names them by sha256: ``pretrained_sha256``)."""
    data = cfg.to_dict()
    for key in RUN_LOCAL_KEYS:
        data.pop(key, None)
    data.get('randomness', {}).pop('seed', None)
    if record_options(cfg).get('pretrain') == STANDALONE:
        backbone = data.get('model', {}).get('backbone', {})
        backbone.pop('pretrained', None)
        if isinstance(backbone.get('init_cfg'), dict):
            backbone['init_cfg'].pop('checkpoint', None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@functools.lru_cache(maxsize=None)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(MiB), b''):
            digest.update(block)
    return digest.hexdigest()


def sha256_file(path) -> str:
    """sha256 of a file, computed once per version of it."""
    stat = Path(path).stat()
    return _sha256(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


def environment() -> dict[str, str]:
    """What a number may depend on beyond the config and the commit: the versions of torch, CUDA, cuDNN and of the
    libraries this process loaded (mmengine, mmcv, mmdet, mmseg, timm), and the GPU it ran on."""
    env = {'python': platform.python_version(), 'torch': torch.__version__}
    if torch.version.cuda:
        env['cuda'] = torch.version.cuda
    if torch.backends.cudnn.is_available() and torch.backends.cudnn.version():
        env['cudnn'] = str(torch.backends.cudnn.version())
    for lib in ('mmengine', 'mmcv', 'mmdet', 'mmseg', 'timm'):
        if lib in sys.modules:
            env[lib] = str(getattr(sys.modules[lib], '__version__', 'unknown'))
    if torch.cuda.is_available():
        env['gpu'] = torch.cuda.get_device_name()
    return env


def pipeline_of(cfg: Config) -> str:
    scope = cfg.get('default_scope')
    return f'{scope} {importlib.import_module(scope).__version__}'


# --- provenance ---------------------------------------------------------------------------------------------------
def search_settings(checkpoint) -> tuple[str | None, str | None]:
    """(method, scorer) of a supernet checkpoint: its algorithm and the search's scorer, from the config in its
    meta; (None, None) when it holds no config."""
    text = load_checkpoint_file(checkpoint).get('meta', {}).get('cfg')
    try:
        cfg = Config.fromstring(text, '.py')
        return cfg.model.type.lower(), cfg.get('search', {}).get('scorer', {}).get('type')
    except Exception as err:  # no config, or one that no longer reads: the record says "unknown", not nothing
        print_log(f'{checkpoint}: search method and scorer unknown ({type(err).__name__}: {err})',
                  logger='current', level=logging.WARNING)
        return None, None


def search_provenance(search_dir, code: str, arch_file: Mapping | None = None, arch_path=None,
                      record_file=RECORD_FILE) -> Provenance:
    """Provenance of ``code`` in a search: its row of the ranked table (named relative to ``record_file``, where the
    record goes), and the supernet it was scored on: the source checkpoint of the arch file ``arch_file`` (read from
    ``arch_path``; relative to it, or absolute in older arch files), else, where that file is gone, the search work
    dir's latest."""
    work = SearchWorkDir.find(search_dir)
    row = work.ranked_row(code)
    arch_file = arch_file or {}
    source = arch_file.get('source_checkpoint')
    supernet = resolve_stored(source, arch_path) if source and arch_path else (Path(source) if source else None)
    if supernet is None or not supernet.is_file():
        supernet = work.latest_checkpoint()
    method = scorer = supernet_sha = None
    if supernet is not None and supernet.is_file():
        method, scorer = search_settings(supernet)
        supernet_sha = sha256_file(supernet)
    return Provenance(kind='search', method=method, supernet_sha256=supernet_sha,
                      score=row['score'] if row else arch_file.get('score'), score_name=scorer,
                      rank=row['rank'] if row else arch_file.get('rank'),
                      ranked_file=stored_path(work.table_json, record_file))


def provenance_of(options: Mapping[str, Any], arch_cfg, space: str, code: str,
                  record_file=RECORD_FILE) -> Provenance:
    """From ``record.kind`` / ``record.search`` when given; else a search when the backbone's arch file sits in a
    search's export or top-archs dir (``SearchWorkDir.of_arch_file``); else a known name's kind; else ``arch``.
    Paths it names are relative to ``record_file``."""
    kind, search = options.get('kind'), options.get('search')
    arch_file = None
    if isinstance(arch_cfg, str) and arch_cfg.endswith('.json') and Path(arch_cfg).is_file():
        arch_file = json.loads(Path(arch_cfg).read_text())
        work = SearchWorkDir.of_arch_file(arch_cfg)
        if search is None and work is not None:
            search = work.search
    if kind == 'search' and search is None:
        raise RecordError('record.kind=search needs record.search=<search work dir> (or an arch file of its '
                          'export/ dir as the backbone arch)')
    if kind in (None, 'search') and search is not None:
        return search_provenance(search, code, arch_file, arch_cfg, record_file)
    known = named_arch(space, code)
    return Provenance(kind=kind or (known.kind if known else 'arch'),
                      method=options.get('method', known.method if known else None))


# --- the record -----------------------------------------------------------------------------------------------
def record_options(cfg: Config) -> dict[str, Any]:
    """The config's ``record`` entry, checked against :data:`RECORD_OPTIONS`."""
    options = dict(cfg.get(RECORD_KEY) or {})
    unknown = sorted(set(options) - set(RECORD_OPTIONS))
    if unknown:
        raise RecordError(f'{RECORD_KEY}.{unknown[0]} is not a record option; options: '
                          + '; '.join(f'{k}: {v}' for k, v in RECORD_OPTIONS.items()))
    return {k: str(v) for k, v in options.items() if v is not None}  # the command line makes digits ints


def build_record(cfg: Config, model, checkpoint: Path, meta: Mapping, metrics: Mapping, *, loader: str,
                 meter: RunMeter) -> Record:
    """The record of ``checkpoint`` (whose meta is ``meta``) scored on ``cfg[loader]`` with ``metrics``, to be
    written to ``<work_dir>/record.json``: the files it names (checkpoints, ranked table) are named relative to
    that, so a copied work dir's record names the copy's files (older records name them as the run was given them,
    absolute or relative to the directory it ran in; :func:`pinas.utils.paths.resolve_stored` reads both)."""
    record_file = Path(cfg.work_dir) / RECORD_FILE
    setup = meta.get(TRAIN_SETUP_META)
    if setup is None:
        raise RecordError(f'{checkpoint} carries no training setup (GPUs, batch, AMP): it was not saved by '
                          'tools/train.py of this version; train with it to get records')
    options = record_options(cfg)
    backbone = backbone_of(model)
    space = backbone.space.name
    code = backbone.space.format(backbone.arch)
    size = input_size_of(cfg)
    counted = measure_complexity(revert_sync_batchnorm(copy.deepcopy(backbone)).cpu(), size).as_dict()
    dataset, split = dataset_and_split(cfg, loader)
    known = named_arch(space, code)
    known_name = known.name if known else code
    return Record(
        source='run', name=options.get('name', known_name), space=space, arch=code, task=task_of(cfg),
        dataset=options.get('dataset', dataset), split=split, metrics=canonical_metrics(metrics),
        provenance=provenance_of(options, cfg.model.backbone.get('arch'), space, code, record_file),
        params_M=counted['params_M'], flops_G=counted['GMACs'], input_size=size, config=cfg.filename,
        config_sha256=config_hash(cfg), schedule=setup['schedule'], gpus=setup['gpus'],
        batch_per_gpu=setup['batch_per_gpu'], amp=setup['amp'],
        seed=meta.get('seed', cfg.get('randomness', {}).get('seed')), git_commit=git_commit(), git_dirty=git_dirty(),
        dataset_fingerprint=record_data_fingerprint(cfg, loader, setup), environment=environment(),
        train_wall_time_s=setup.get(TRAIN_WALL_TIME), wall_time_s=meter.wall_time_s(),
        peak_memory_MB=meter.peak_memory_MB(), checkpoint=stored_path(checkpoint, record_file),
        checkpoint_sha256=sha256_file(checkpoint), pipeline=pipeline_of(cfg),
        pretrain=options.get('pretrain', INHERITED if pretrained_checkpoint(cfg) else SCRATCH),
        **pretrained_provenance(cfg, record_file),
        pretrained_dataset_fingerprint=pretraining_data(cfg) if options.get('pretrain') == STANDALONE else None)


def local_pretrained(cfg: Config) -> str | None:
    """The backbone's initial weights where they are a local file (not a URL, not missing), else None."""
    checkpoint = pretrained_checkpoint(cfg)
    if not checkpoint or '://' in str(checkpoint) or not Path(checkpoint).is_file():
        return None
    return checkpoint


def pretrained_provenance(cfg: Config, record_file=RECORD_FILE) -> dict[str, str]:
    """The backbone's initial weights, named (relative to ``record_file``) with their sha256 when they are a local
    file: what a fine-tune started from (a supernet, a stand-alone pretraining run, ImageNet weights)."""
    checkpoint = local_pretrained(cfg)
    if checkpoint is None:
        return {}
    return dict(pretrained_checkpoint=stored_path(checkpoint, record_file), pretrained_sha256=sha256_file(checkpoint))


def pretraining_data(cfg: Config) -> str | None:
    """The dataset fingerprint a stand-alone pretraining checkpoint carries in its meta (tools/make_ground_truth.py
    --keep-checkpoints writes it), or None where the initial weights are not such a local file."""
    checkpoint = local_pretrained(cfg)
    if checkpoint is None:
        return None
    meta = load_checkpoint_file(checkpoint).get('meta')
    return meta.get('dataset_fingerprint') if isinstance(meta, Mapping) else None


def write_record(cfg: Config, model, checkpoint, meta: Mapping, metrics: Mapping, *, loader: str, tta: bool,
                 meter: RunMeter) -> Path | None:
    """Write ``<work_dir>/record.json`` (see :func:`build_record`); returns its path, or None after logging why no
    record could be made (the metrics stay valid).

    A ``--tta`` test adds ``mIoU_ms_flip`` to the single-scale record of the same checkpoint in its work dir:
    the leaderboard reads both numbers from one record, as mmseg's model zoo lists them."""
    out = Path(cfg.work_dir) / RECORD_FILE
    try:
        if '://' in str(checkpoint):
            raise RecordError(f'{checkpoint} is remote: a record names a local checkpoint and its sha256')
        if tta:
            base = load_record(out) if out.is_file() else None
            if base is None or base.checkpoint_sha256 != sha256_file(checkpoint):
                raise RecordError(f'a --tta test adds {", ".join(TTA_SEG_METRICS.values())} to the record of the '
                                  f'same checkpoint in its work dir, and {out} holds none; test without --tta '
                                  'first, with the same --work-dir')
            record = dataclasses.replace(base, metrics={**base.metrics, **canonical_metrics(metrics, tta=True)})
        else:
            record = build_record(cfg, model, Path(checkpoint), meta, metrics, loader=loader, meter=meter)
        return save_record(record, out)
    except RecordError as err:
        print_log(f'no record written: {err}', logger='current', level=logging.WARNING)
        return None
