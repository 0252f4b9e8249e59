"""Ground truth for ranking studies: train sampled architectures stand-alone, with several seeds.

The embedded dataset is small enough to hold in memory, so training runs on tensors (random crop + flip done in
torch) instead of a DataLoader: a 32x32 network trains in about a minute on 2 CPU cores. CIFAR-100 (the full-size
Track-1 ground truth, :class:`RegistryData`) fits in memory the same way. Results are appended to a JSON file
after every run, so an interrupted job resumes where it stopped, and jobs can be split into shards that several
processes train at once.

A runs file proves what its numbers were measured on: its meta holds the dataset fingerprint (the synthetic spec
and the generator's version, or a hash of a real dataset's images and labels), and its ``code`` entry the code
state (commit, dirty flag) each run trained with, so runs resumed across commits say so.
"""
from __future__ import annotations

import hashlib
import json
import math
import random
import re
import time
import dataclasses
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..arch import Arch
from ..datasets.folder import ImageFolder
from ..datasets.synthetic import SyntheticSpec, make_synthetic_dataset
from ..utils.checkpoint import save_checkpoint_file
from ..utils.files import atomic_write_json
from ..utils.paths import resolve_stored, stored_path
from ..utils.provenance import code_state, fingerprint
from ..utils.reuse import compare, describe

CEILING_MIN_ARCHS = 5  # fewer architectures give no ceiling (no correlation is stated below 5 items)
SEED_COLUMN = 'top1_seed'  # a ground-truth row's top-1 of one training seed: top1_seed0, top1_seed1, ...
# Any per-seed column: <metric>_seed<seed> (a transfer table from records has mIoU_seed2, mIoU_seed3, ...).
SEED_COLUMN_PATTERN = re.compile(r'^(?P<metric>\w+?)_seed(?P<seed>\d+)$')  # box_AP_seed2 too
# Version of the images pinas.datasets.synthetic draws for one spec: bump it when the generator changes, so that
# runs on the old images are not mixed with runs on the new ones.
SYNTHETIC_GENERATOR_VERSION = 1
DATASET_FINGERPRINT = 'dataset_fingerprint'  # runs meta key
ADDED_META_KEYS = (DATASET_FINGERPRINT,)  # absent from runs files written before it existed; not a mismatch
RUNS, CODE = 'runs', 'code'  # runs file keys: {arch: {seed: top-1}} and {arch: {seed: code_state()}}
# Runs file key of the kept weights (``checkpoint_dir``): {arch: {seed: {'file': path relative to the runs file,
# 'sha256': ...}}}. Transfer ground truth fine-tunes from them, and its records name the file and its sha256.
CHECKPOINTS = 'checkpoints'


@dataclass(frozen=True)
class TrainSettings:
    """Stand-alone training recipe (SGD, linear warmup then cosine), identical for every architecture and seed.

    Its values come from a config's ``standalone_train`` dict (configs/ranking/ground_truth.py, read by
    :meth:`from_config`), never from defaults here: a runs file records them, so the config is where they are read.
    """

    epochs: int
    warmup_epochs: float
    batch_size: int
    lr: float
    momentum: float
    weight_decay: float
    crop_padding: int

    @classmethod
    def from_config(cls, path: str | Path, **overrides) -> 'TrainSettings':
        """The recipe of the config at ``path`` (its ``standalone_train`` dict), with ``overrides`` (e.g. ``epochs``)
        replacing its values; a ValueError names what the config lacks or has too many."""
        from mmengine.config import Config
        if not Path(path).is_file():
            raise ValueError(f'ground-truth recipe {path} does not exist; give a config with a standalone_train dict '
                             'such as configs/ranking/ground_truth.py')
        recipe = dict(Config.fromfile(str(path)).get('standalone_train') or {}, **overrides)
        fields = [f.name for f in dataclasses.fields(cls)]
        missing, unknown = [f for f in fields if f not in recipe], sorted(set(recipe) - set(fields))
        problems = ([f'lacks {", ".join(missing)}'] if missing else []) + \
            ([f'has unknown {", ".join(unknown)}'] if unknown else [])
        if problems:
            raise ValueError(f'{path}: standalone_train {" and ".join(problems)}; it needs exactly {", ".join(fields)}')
        return cls(**recipe)


def _augment(x: torch.Tensor, padding: int, generator: torch.Generator) -> torch.Tensor:
    n, _, h, w = x.shape
    padded = F.pad(x, [padding] * 4)
    dx, dy = torch.randint(0, 2 * padding + 1, (2, n), generator=generator)
    out = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])
    flip = torch.rand(n, generator=generator) < 0.5
    out[flip] = out[flip].flip(-1)
    return out


def default_device() -> torch.device:
    """Where ground truth trains: the GPU when there is one."""
    return torch.device('cuda' if torch.cuda.is_available() else 'cpu')


def train_standalone(model: nn.Module, train: tuple, val: tuple, settings: TrainSettings, seed: int,
                     device: torch.device | str | None = None) -> float:
    """Train ``model`` from its (seeded) init on ``device`` (default: the GPU if any) and return val top-1 (%).

    The data stays on the host: augmentation draws from a seeded CPU generator, so a run gives the same batches on
    any device, and each batch moves to the model's device."""
    device = torch.device(device) if device is not None else default_device()
    model.to(device)
    generator = torch.Generator().manual_seed(seed)
    x, y = train
    steps_per_epoch = len(x) // settings.batch_size
    optimizer = torch.optim.SGD(model.parameters(), lr=settings.lr, momentum=settings.momentum,
                                weight_decay=settings.weight_decay, nesterov=True)
    total, warmup = settings.epochs * steps_per_epoch, round(settings.warmup_epochs * steps_per_epoch)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(s, warmup, total))
    model.train()
    for _ in range(settings.epochs):
        order = torch.randperm(len(x), generator=generator)
        for step in range(steps_per_epoch):
            idx = order[step * settings.batch_size:(step + 1) * settings.batch_size]
            batch = _augment(x[idx], settings.crop_padding, generator).to(device, non_blocking=True)
            loss = F.cross_entropy(model(batch), y[idx].to(device, non_blocking=True))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
    return evaluate(model, val)


def warmup_cosine(step: int, warmup: int, total: int) -> float:
    """LR factor: linear from 1/warmup to 1 over ``warmup`` steps, then cosine from 1 to 0."""
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


@torch.no_grad()
def evaluate(model: nn.Module, data: tuple, batch_size: int = 256) -> float:
    """Top-1 (%) of ``model`` on host tensors ``data``, batches moved to the model's device."""
    model.eval()
    x, y = data
    device = next(model.parameters()).device
    correct = torch.zeros((), dtype=torch.long, device=device)
    for i in range(0, len(x), batch_size):
        correct += (model(x[i:i + batch_size].to(device)).argmax(1) == y[i:i + batch_size].to(device)).sum()
    return 100.0 * correct.item() / len(x)


def sample_archs(space, num: int, seed: int, concentration: float | None = None,
                 extremes: bool = False) -> list[Arch]:
    """``num`` distinct architectures drawn with a seeded RNG.

    ``concentration=None`` draws every position uniformly. A value ``a`` first draws, per architecture, candidate
    probabilities from a symmetric Dirichlet(a) and then every position from them: small ``a`` gives architectures
    dominated by one or two candidates as well as mixed ones, so the sample spans the space's range of accuracy
    (uniform draws concentrate near the average mix). Where positions have different numbers of choices (the
    Track-1 widths: 4, 8 or 16 per stage), the Dirichlet is over ``min(cardinalities)`` equal slices of each
    position's choices (narrowest quarter, ..., widest quarter), and a position draws a slice, then a choice in it.
    ``extremes`` puts the smallest and the largest architecture (every position's first / last choice) first.
    """
    rng, archs = random.Random(seed), []
    if extremes:
        archs = [Arch(tuple(0 for _ in space.cardinalities)), Arch(tuple(c - 1 for c in space.cardinalities))]
    if concentration is not None:
        bins, generator = min(space.cardinalities), np.random.default_rng(seed)
    while len(archs) < num:
        if concentration is None:
            arch = space.sample(rng)
        elif len(set(space.cardinalities)) == 1:
            probs = generator.dirichlet([concentration] * bins)
            arch = Arch(tuple(int(c) for c in generator.choice(bins, size=space.num_positions, p=probs)))
        else:
            probs = generator.dirichlet([concentration] * bins)
            slices = generator.choice(bins, size=space.num_positions, p=probs)
            arch = Arch(tuple(int(generator.integers(b * c // bins, (b + 1) * c // bins))
                              for b, c in zip(slices, space.cardinalities)))
        if arch not in archs:
            archs.append(arch)
    return archs[:num]


def shard_path(out: Path, index: int, count: int) -> Path:
    """Runs file of shard ``index`` of ``count`` beside ``out`` (``gt.runs.json`` -> ``gt.runs.shard0of4.json``)."""
    return out.with_name(f'{out.stem}.shard{index}of{count}{out.suffix}')


def _read_runs(path: Path, meta: dict, key: str = RUNS) -> dict:
    if not path.is_file():
        return {}
    table = json.loads(path.read_text())
    changes = compare(table.get('meta', meta), meta, optional=ADDED_META_KEYS)
    if changes:
        raise ValueError(f'{path} was produced with other settings ({describe(changes)}); use another --out, or '
                         'delete it to train these settings there')
    return table.get(key, {})


def synthetic_fingerprint(spec: SyntheticSpec) -> str:
    """The fingerprint of a generated dataset: its spec and the generator's version (the images are a function of
    both, so hashing them would only cost time)."""
    return fingerprint(dict(spec=asdict(spec), generator=SYNTHETIC_GENERATOR_VERSION))


@dataclass(frozen=True)
class SyntheticData:
    """The embedded generator's images (written to ``root`` on first use): the default ground truth's data, recorded
    by its spec and fingerprinted by spec and generator version."""
    root: Path
    spec: SyntheticSpec

    @property
    def num_classes(self) -> int:
        return self.spec.num_classes

    def meta(self) -> dict:
        return {'dataset': asdict(self.spec), DATASET_FINGERPRINT: synthetic_fingerprint(self.spec)}

    def check(self) -> None:
        """Nothing can be missing: the images are generated when first needed."""

    def tensors(self) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        make_synthetic_dataset(self.root, self.spec)
        train, val = (ImageFolder(self.root, ann_file=f'meta/{split}.txt').as_tensors() for split in ('train', 'val'))
        return train, val


class RegistryData:
    """Two datasets of the pinas registry held in memory as tensors: the ground truth at full size, e.g. CIFAR-100
    (configs/ranking/ground_truth_cifar100.py). ``cfg``: ``dict(num_classes=N, train=<dataset>, val=<dataset>)``,
    each dataset giving normalised tensors without random augmentation (the recipe crops and flips the training
    tensors itself). Recorded by the config; its fingerprint hashes the images and labels (a copy of a public
    dataset has no generator spec to hash, and a changed or truncated copy must not join another copy's runs)."""

    def __init__(self, cfg: Mapping):
        cfg = json.loads(json.dumps(dict(cfg)))  # plain JSON values, as a runs file reads them back
        missing = [key for key in ('num_classes', 'train', 'val') if key not in cfg]
        if missing or not isinstance(cfg['num_classes'], int) or cfg['num_classes'] < 2:
            raise ValueError(f'standalone_data needs num_classes (a whole number >= 2), train and val (dataset '
                             f'configs), e.g. configs/ranking/ground_truth_cifar100.py; got {sorted(cfg)}')
        self.cfg, self._tensors = cfg, None

    @property
    def num_classes(self) -> int:
        return self.cfg['num_classes']

    def check(self) -> None:
        """Read the datasets now (a tool calls this before it writes anything), so a missing copy fails first."""
        self.tensors()

    def tensors(self) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        if self._tensors is None:
            self._tensors = tuple(_dataset_tensors(self.cfg[split]) for split in ('train', 'val'))
        return self._tensors

    def meta(self) -> dict:
        digest = hashlib.sha256()
        for x, y in self.tensors():
            digest.update(x.contiguous().numpy().tobytes())
            digest.update(y.numpy().astype(np.int64).tobytes())
        return {'dataset': self.cfg, DATASET_FINGERPRINT: digest.hexdigest()[:16]}


def _dataset_tensors(cfg: Mapping) -> tuple[torch.Tensor, torch.Tensor]:
    from mmengine.registry import DefaultScope

    from ..registry import DATASETS
    with DefaultScope.overwrite_default_scope('pinas'):  # pinas's datasets, whichever scope a caller has set
        dataset = DATASETS.build(dict(cfg))
    items = [dataset[i] for i in range(len(dataset))]
    if not items:
        raise ValueError(f'dataset {cfg.get("type")} holds no images; check its root')
    return torch.stack([item['inputs'] for item in items]), torch.tensor([int(item['data_samples']) for item in items])


def standalone_data(cfg: Mapping, source: str = 'the data config') -> SyntheticData | RegistryData:
    """The data a ground truth trains on, from a config: ``standalone_data`` (datasets of the registry) or
    ``data_root`` + ``synthetic`` (the embedded generator, configs/search/_base_/datasets/embedded.py)."""
    if 'standalone_data' in cfg:
        return RegistryData(cfg['standalone_data'])
    if 'synthetic' in cfg and 'data_root' in cfg:
        return SyntheticData(Path(cfg['data_root']), SyntheticSpec(**cfg['synthetic']))
    raise ValueError(f'{source} defines neither standalone_data (datasets, e.g. '
                     'configs/ranking/ground_truth_cifar100.py) nor data_root and synthetic (the embedded default, '
                     'configs/search/_base_/datasets/embedded.py); pass one of those')


def runs_meta(space, data: SyntheticData | RegistryData, settings: TrainSettings) -> dict:
    """What a runs file records of its settings; runs of other settings are never mixed into one table."""
    return {'space': space.name, **data.meta(), 'train': asdict(settings)}


def collect_runs(out: Path, meta: dict, key: str = RUNS) -> dict:
    """The runs of ``out`` and of every shard file beside it (the first value of an (arch, seed) wins);
    ``key=CODE``: the code state each of them trained with."""
    runs: dict = {}
    for path in [out, *sorted(out.parent.glob(f'{out.stem}.shard*of*{out.suffix}'))]:
        for code, seeds in _read_runs(path, meta, key).items():
            for seed, top1 in seeds.items():
                runs.setdefault(code, {}).setdefault(seed, top1)
    return runs


def join_runs(table: dict, paths: Sequence[Path]) -> dict:
    """``table`` with the runs (and their code states) of other runs files of the same settings (each with the
    shard files beside it) joined in: seeds trained as separate tables, e.g. a transfer ground truth's pretraining
    seeds beside the classification table's, become one table over every seed. A run two files hold with different
    values is refused (two runs of one seed are not one measurement). Kept weights stay with their own runs file,
    whose paths are relative to it."""
    keys = (RUNS, CODE)
    joined = {key: {code: dict(seeds) for code, seeds in table.get(key, {}).items()} for key in keys}
    origin = {(code, seed): 'the table' for code, seeds in joined[RUNS].items() for seed in seeds}
    for path in map(Path, paths):
        if not path.is_file():
            raise ValueError(f'{path} does not exist; give the .runs.json file of a tools/make_ground_truth.py table')
        for key in keys:
            for code, seeds in collect_runs(path, table['meta'], key).items():  # the file and its shards
                for seed, value in seeds.items():
                    held = joined[key].setdefault(code, {})
                    if key == RUNS and seed in held and held[seed] != value:
                        raise ValueError(f'{origin[code, seed]} and {path} both hold seed {seed} of {code}, with '
                                         'different values; give each seed from one file')
                    held.setdefault(seed, value)
                    if key == RUNS:
                        origin.setdefault((code, seed), str(path))
    return {**table, **joined}


def code_states(table: dict) -> list[dict]:
    """The distinct code states the runs of ``table`` trained with, each with its number of runs; runs from before
    code states were recorded count as ``git_commit: None`` (unknown, not guessed)."""
    unknown = dict(git_commit=None, git_dirty=None)
    counts: dict[str, int] = {}
    for code, seeds in table[RUNS].items():
        for seed in seeds:
            state = table.get(CODE, {}).get(code, {}).get(seed, unknown)
            key = json.dumps(state, sort_keys=True)
            counts[key] = counts.get(key, 0) + 1
    return [dict(json.loads(key), runs=n) for key, n in sorted(counts.items())]


def run_ground_truth(space, build_model: Callable[[Arch], nn.Module], archs: Sequence[Arch], seeds: Sequence[int],
                     out: Path, data: SyntheticData | RegistryData, settings: TrainSettings,
                     log: Callable[[str], None] = print,
                     shard: tuple[int, int] | None = None, device: torch.device | str | None = None,
                     checkpoint_dir: Path | None = None) -> dict:
    """Train every (arch, seed) not yet in ``out`` (or in a shard file beside it) and write the table after each run.

    ``shard=(k, n)`` trains only every n-th job from the k-th, into its own shard file, so that n processes or
    cluster jobs fill one table; a later call without ``shard`` collects the shard files into ``out``.
    ``checkpoint_dir`` keeps every run's trained weights (:func:`checkpoint_path`), written before the run is
    recorded, so a recorded run always has its file; a run recorded without a kept file trains again.
    """
    if shard is not None and not 0 <= shard[0] < shard[1]:
        raise ValueError(f'shard {shard[0]}/{shard[1]}: K of K/N must be in 0..N-1')
    meta = runs_meta(space, data, settings)
    runs, states, kept = (collect_runs(out, meta, key) for key in (RUNS, CODE, CHECKPOINTS))
    jobs = [(a, s) for a in archs for s in seeds]
    if shard is not None:
        jobs, out = jobs[shard[0]::shard[1]], shard_path(out, *shard)
    train, val = data.tensors()
    if len(train[0]) < settings.batch_size:
        raise ValueError(f'{len(train[0])} training images in batches of {settings.batch_size}: 0 steps per epoch, '
                         'so every run would keep its initial weights; use more images or a smaller batch')
    table = {'meta': meta, RUNS: runs, CODE: states, **({CHECKPOINTS: kept} if kept or checkpoint_dir else {})}
    atomic_write_json(out, table)

    def done(code: str, seed: int) -> bool:
        if str(seed) not in runs.get(code, {}):
            return False
        file = kept.get(code, {}).get(str(seed), {}).get('file')
        return checkpoint_dir is None or (file is not None and resolve_stored(file, out).is_file())
    todo = [(a, s) for a, s in jobs if not done(space.format(a), s)]
    began = time.time()
    for i, (arch, seed) in enumerate(todo, 1):
        code = space.format(arch)
        torch.manual_seed(seed)
        start = time.time()
        model = build_model(arch)
        top1 = train_standalone(model, train, val, settings, seed, device)
        if checkpoint_dir is not None:
            kept.setdefault(code, {})[str(seed)] = save_standalone(
                model, checkpoint_path(checkpoint_dir, code, seed),
                dict(space=space.name, arch=code, seed=seed, top1=top1, train=meta['train'],
                     **{DATASET_FINGERPRINT: meta[DATASET_FINGERPRINT]}), runs_file=out)
        runs.setdefault(code, {})[str(seed)] = top1
        states.setdefault(code, {})[str(seed)] = code_state()
        atomic_write_json(out, table)
        left = (time.time() - began) / i * (len(todo) - i)
        log(f'[{i}/{len(todo)}] {code} seed {seed}: top-1 {top1:.2f}% ({time.time() - start:.0f} s; '
            f'about {left / 60:.0f} min left)')
    return table


def checkpoint_path(checkpoint_dir: Path | str, code: str, seed: int) -> Path:
    """Where a kept run's weights go: ``<checkpoint_dir>/<code>/seed<seed>.pth``."""
    return Path(checkpoint_dir) / code / f'seed{seed}.pth'


def save_standalone(model: nn.Module, path: Path, meta: Mapping, runs_file: Path) -> dict:
    """Write ``model``'s weights (host tensors, under ``state_dict``, with ``meta``) atomically to ``path``; returns
    the entry of ``runs_file`` for it: the path relative to the runs file (a copied study names its own files) and
    the file's sha256."""
    state_dict = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    sha256 = save_checkpoint_file(dict(state_dict=state_dict, meta=dict(meta)), path)
    return {'file': stored_path(path, runs_file), 'sha256': sha256}


def kept_checkpoints(runs_path: Path) -> tuple[dict, dict]:
    """The meta and the kept checkpoints (``{arch: {seed: {'file', 'sha256'}}}``) of a runs file and its shards, as
    :func:`run_ground_truth` wrote them with ``checkpoint_dir``; each ``file`` as a path to open (stored relative to
    the runs file, or, in older files, as the run was given it: :func:`pinas.utils.paths.resolve_stored`)."""
    if not runs_path.is_file():
        raise ValueError(f'{runs_path} does not exist; give the runs file (<table>.runs.json) of a '
                         'tools/make_ground_truth.py --keep-checkpoints run')
    try:
        meta = json.loads(runs_path.read_text())['meta']
    except (ValueError, KeyError, TypeError):
        raise ValueError(f'{runs_path} is not a ground-truth runs file (JSON with "meta" and "runs")') from None
    kept = collect_runs(runs_path, meta, CHECKPOINTS)
    return meta, {code: {seed: dict(entry, file=str(resolve_stored(entry['file'], runs_path)))
                         for seed, entry in seeds.items()} for code, seeds in kept.items()}


def seed_columns(row: Mapping) -> list[str]:
    """The per-seed columns of a ground-truth row (``top1_seed0``, ``mIoU_seed2``, ...), by seed; [] when a row has
    none or mixes metrics."""
    found = {k: SEED_COLUMN_PATTERN.match(k) for k in row if isinstance(k, str)}
    found = {k: m for k, m in found.items() if m}
    if len({m['metric'] for m in found.values()}) != 1:
        return []
    return sorted(found, key=lambda k: int(found[k]['seed']))


def summarize(table: dict, seeds: Sequence[int], column: str = SEED_COLUMN) -> dict:
    """Mean top-1 per architecture, the seed-to-seed Kendall tau-b of every seed pair (how reproducible the table
    is) and, from 5 architectures and 2 seeds on, both references: the mean seed-to-seed tau and the noise ceiling
    of the seeds' mean (:func:`~pinas.ranking.metrics.seed_ceilings`: what a perfect ranking would reach against
    the table's score column), with bootstrap CIs from 20 architectures on and, below, no interval but each seed
    pair's permutation p-value (the project's small-sample rule, :func:`seed_references`). ``column``: the
    per-seed columns' prefix."""
    from ..ranking.metrics import MIN_BOOTSTRAP_ITEMS, kendall_permutation_test
    runs = {code: r for code, r in table['runs'].items() if all(str(s) in r for s in seeds)}
    rows = sorted(({'arch': code, 'score': float(np.mean([r[str(s)] for s in seeds])),
                    **{f'{column}{s}': r[str(s)] for s in seeds}} for code, r in runs.items()),
                  key=lambda row: -row['score'])
    taus = seed_pair_taus({str(s): [r[str(s)] for r in runs.values()] for s in seeds})
    ceilings = {}
    if len(seeds) >= 2 and len(rows) >= CEILING_MIN_ARCHS:
        per_seed = [[r[f'{column}{s}'] for r in rows] for s in seeds]
        ceilings = seed_references(per_seed)
        if len(rows) < MIN_BOOTSTRAP_ITEMS:  # no interval on so few: each seed pair's permutation p instead
            ceilings['seed_pair_permutation_p'] = {
                f'{a}-{b}': kendall_permutation_test(per_seed[i], per_seed[j]).as_dict()['p_value']
                for i, a in enumerate(seeds) for j, b in enumerate(seeds) if i < j}
    return dict(meta=table['meta'], num_archs=len(rows), seeds=list(seeds), seed_to_seed_kendall_tau=taus,
                **ceilings, rows=rows)


def seed_references(per_seed: Sequence[Sequence[float]]) -> dict[str, dict]:
    """``{'seed_to_seed_kendall_tau_b': ..., 'noise_ceiling_kendall_tau_b': ...}`` of a ground truth's per-seed values
    (one row per seed, :func:`~pinas.ranking.metrics.seed_ceilings`), each ``{value, ci, n}``: with bootstrap CIs from
    :data:`~pinas.ranking.metrics.MIN_BOOTSTRAP_ITEMS` architectures on, ``ci`` ``[None, None]`` below (the project's
    small-sample rule: a bootstrap of so few is unreliable)."""
    from ..ranking.metrics import MIN_BOOTSTRAP_ITEMS, seed_ceilings
    if len(per_seed[0]) < MIN_BOOTSTRAP_ITEMS:
        return {m.name: dict(m.as_dict(), ci=[None, None]) for m in seed_ceilings(per_seed, resamples=0)}
    return {m.name: m.as_dict() for m in seed_ceilings(per_seed)}


def seed_pair_taus(top1: Mapping[str, Sequence[float]]) -> dict[str, float]:
    """``{'<a>-<b>': tau}``: the Kendall tau-b between every two seeds' top-1 over the same architectures."""
    from ..ranking.metrics import kendall_tau_b
    seeds = list(top1)
    return {f'{a}-{b}': kendall_tau_b(top1[a], top1[b]) for i, a in enumerate(seeds) for b in seeds[i + 1:]}


def seed_to_seed_tau(rows, archs=None, space=None) -> float | None:
    """Mean over seed pairs of the Kendall tau-b between two seeds' top-1 over ``archs`` (default: every row), from
    the per-seed columns of a table :func:`summarize` wrote; None for a table without two seed columns. Rows are
    matched to ``archs`` by code as :func:`~pinas.ranking.tables.read_table` keys them (with ``space``: the space's
    own code), never by the raw text of the file."""
    from ..ranking.tables import table_code
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return None
    wanted = None if archs is None else set(archs)
    rows = [r for r in rows if wanted is None or table_code(r.get('arch'), space) in wanted]
    columns = seed_columns(rows[0]) if rows else []
    if len(columns) < 2 or not all(all(c in r for c in columns) for r in rows):
        return None
    taus = seed_pair_taus({SEED_COLUMN_PATTERN.match(c)['seed']: [r[c] for r in rows] for c in columns})
    return float(np.mean(list(taus.values())))


def format_card(summary: Mapping) -> str:
    """A ground truth table as a reader checks it (``<table>.md`` beside the table): what was measured, how
    reproducible it is (seed-to-seed tau with its CI from 20 architectures on, each seed pair's permutation p
    below), the noise ceiling, what a run cost, and every architecture's mean and per-seed values."""
    meta = summary['meta']
    metric = meta.get('metric', 'top1')
    rows = summary['rows']
    seeds = summary['seeds']

    def stat(name: str) -> str:
        entry = summary.get(name)
        if not entry:
            return 'not computed (fewer than 5 architectures or 2 seeds)'
        low, high = entry['ci']
        return f'{entry["value"]:.3f}' + ('' if low is None else f' [{low:.2f}, {high:.2f}]')

    where = ', '.join(f'{k} {meta[k]}' for k in ('task', 'dataset', 'pretrain', 'pipeline') if meta.get(k))
    schedule = ', '.join(f'{k} {v}' for k, v in (meta.get('schedule') or {}).items()) or 'not recorded'
    if 'train' in meta:  # a stand-alone classification table (tools/make_ground_truth.py trained it)
        where = f'stand-alone classification, space {meta.get("space")}'
        schedule = f'epochs {meta["train"]["epochs"]}'
    lines = [f'**{metric}: {summary["num_archs"]} architectures x seeds {", ".join(map(str, seeds))}**', '',
             f'{where}; schedule {schedule}; dataset fingerprint `{meta.get("dataset_fingerprint")}`.', '',
             f'- seed-to-seed Kendall tau-b: {stat("seed_to_seed_kendall_tau_b")}'
             + ''.join(f'; seeds {pair}: {tau:.3f}' for pair, tau in summary['seed_to_seed_kendall_tau'].items()),
             f'- noise ceiling for the mean of the {len(seeds)} seeds: {stat("noise_ceiling_kendall_tau_b")}']
    if summary.get('seed_pair_permutation_p'):
        lines.append('- fewer than 20 architectures, so no interval: each seed pair\'s permutation p-value (two-sided), '
                     + ', '.join(f'{pair}: {"n/a (a constant seed)" if p is None else f"{p:.4f}"}'
                                 for pair, p in summary['seed_pair_permutation_p'].items()))
    cost = summary.get('minutes_per_run')
    if cost:
        lines.append(f'- minutes per run (training, one thread, as each record measured it on a shared machine): mean '
                     f'{cost["mean"]:.2f}, {cost["min"]:.2f}-{cost["max"]:.2f} over {cost["runs"]} runs')
    if summary.get('incomplete'):
        lines.append(f'- left out until every seed is there: {len(summary["incomplete"])} architecture(s)')
    head = ['rank', 'architecture', f'{metric}, mean', *[f'seed {s}' for s in seeds]]
    lines += ['', '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for rank, row in enumerate(rows, 1):
        values = [row[k] for k in seed_columns(row)]
        lines.append('| ' + ' | '.join([str(rank), f'`{row["arch"]}`', f'{row["score"]:.2f}',
                                         *(f'{v:.2f}' for v in values)]) + ' |')
    return '\n'.join(lines) + '\n'
