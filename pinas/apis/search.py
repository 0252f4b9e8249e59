"""The search stage of ``tools/search.py``: score architectures of a trained supernet, search, export the best.

Settings come from the config's ``search`` section (see ``configs/search/pinas_embedded.py``). The search state is
checkpointed in the work dir's search state file (:class:`~pinas.search.work_dir.SearchWorkDir`) after every
evaluation, so an interrupted search resumes without re-scoring.
"""
from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import torch

from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.dist import barrier, get_rank
from mmengine.logging import MMLogger
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from ..models import build_standalone
from ..registry import DATASETS
from ..search.builder import build_strategy
from ..search.constraints import build_constraint
from ..search.outputs import write_search_outputs
from ..search.base import SearchError
from ..search.searcher import Searcher
from ..search.work_dir import SEARCH_DIR, SearchWorkDir
from ..engine import unwrap_model
from ..search.scoring import Scorer, ShardedBatchSampler, train_linear_head
from ..utils.dist import get_dist_info
from ..utils.files import file_identity
from .export import export_architecture


def _scoring_loader(dataset_cfg: Mapping[str, Any], batch_size: int, num_workers: int, shuffle: bool = False,
                    seed: int = 0) -> Callable[[], Iterable]:
    """A callable giving this rank's batches of a scoring dataset.

    Scoring data is read in a fixed order, sharded by batch (:class:`ShardedBatchSampler`), so every candidate
    sees the same batches and the ranks together read what one process would; a random pipeline (ImageNet's
    recalibration set is train-augmented) draws from a generator seeded by the sample's index
    (:class:`SeededSamples`), so every candidate also sees the same augmented images, whichever worker loads them.
    ``shuffle`` (the probe's training data) draws a new order every call instead, with ``DistributedSampler``. One
    DataLoader and one persistent worker pool serve every candidate."""
    dataset = DATASETS.build(dict(dataset_cfg))
    workers = dict(num_workers=num_workers, persistent_workers=num_workers > 0, pin_memory=torch.cuda.is_available(),
                   collate_fn=default_collate)
    if not shuffle:
        loader = DataLoader(SeededSamples(dataset, seed), batch_sampler=ShardedBatchSampler(len(dataset), batch_size),
                            **workers)
        return lambda: loader
    dist_info = get_dist_info()
    sampler = DistributedSampler(dataset, dist_info.world_size, dist_info.rank, shuffle=True, seed=seed, drop_last=True)
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=True, **workers)
    epochs = itertools.count()

    def next_epoch():
        sampler.set_epoch(next(epochs))
        return loader
    return next_epoch


class SeededSamples(Dataset):
    """Sample ``i`` of ``dataset`` with its random transforms drawn from torch's and Python's generators seeded by
    ``(seed, i)``; the caller's random state is left as it was."""

    def __init__(self, dataset: Dataset, seed: int = 0):
        self.dataset, self.seed = dataset, seed

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int):
        state = random.getstate()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed * 1_000_003 + index)
            random.seed(self.seed * 1_000_003 + index)
            try:
                return self.dataset[index]
            finally:
                random.setstate(state)


# Every setting a search's result depends on comes from the config (configs/search/ sets each of them): one the
# config leaves out is refused before the supernet trains, never filled in here. Only the loader's worker processes,
# which change no score (each sample draws from its own seeded generator), default to 0 (DataLoader's default).
REQUIRED_SEARCH_SETTINGS = ('top_n', 'seed', 'scorer.recalib_batches', 'data.batch_size')
REQUIRED_PROBE_SETTINGS = ('num_classes', 'epochs', 'lr', 'milestones')  # of search.scorer.head


def missing_search_settings(search_cfg: Mapping[str, Any]) -> list[str]:
    """The settings of ``search_cfg`` that the search needs and the config does not give, as ``search.`` keys."""
    def given(cfg, dotted):
        for key in dotted.split('.'):
            if not isinstance(cfg, Mapping) or key not in cfg:
                return False
            cfg = cfg[key]
        return True
    required = list(REQUIRED_SEARCH_SETTINGS)
    if (search_cfg.get('scorer') or {}).get('type') == 'linear_probe':
        required += [f'scorer.head.{key}' for key in REQUIRED_PROBE_SETTINGS]
    return [f'search.{key}' for key in required if not given(search_cfg, key)]


def build_scorer(model, search_cfg: Mapping[str, Any]) -> Scorer:
    """The scorer of ``search_cfg.scorer`` over the supernet of ``model``, with its data loaders.

    ``search_cfg.data`` holds the datasets (``recalib``, ``val``, ``memory``, ``train`` for the probe head),
    ``batch_size`` (per GPU) and ``num_workers``; ``search_cfg.scorer`` the proxy (``type`` and its options),
    ``recalib_batches`` (in all, over all ranks; ``None``: the whole recalibration set) and
    ``recalibration=dict(protocol=..., momentum=...)``; a linear probe's ``head`` has ``num_classes``, ``epochs``,
    ``lr``, ``milestones`` and its own ``batch_size`` (per GPU; default: the data's)."""
    check_scorer(search_cfg)
    scorer_cfg = dict(search_cfg['scorer'])
    kind = scorer_cfg.pop('type')
    recalib_batches = scorer_cfg.pop('recalib_batches')
    recalibration = scorer_cfg.pop('recalibration', None)
    data = dict(search_cfg['data'])
    batch_size, num_workers = data.pop('batch_size'), data.pop('num_workers', 0)
    supernet = unwrap_model(model).bare_supernet
    probe = dict(scorer_cfg.pop('head')) if kind == 'linear_probe' else {}
    batch_sizes = dict(train=probe.get('batch_size', batch_size))
    loaders = {name: _scoring_loader(data[name], batch_sizes.get(name, batch_size), num_workers,
                                     shuffle=name == 'train')
               for name in ('recalib', 'val', 'memory', 'train') if name in data}
    if kind == 'linear_probe':
        scorer_cfg['head'] = train_linear_head(supernet, loaders['train'], probe['num_classes'], probe['epochs'],
                                               probe['lr'], unwrap_model(model).sample_arch,
                                               milestones=probe['milestones'])
    return Scorer(supernet, kind, loaders['recalib'], loaders['val'], recalib_batches,
                  memory=loaders.get('memory'), options=scorer_cfg, recalibration=recalibration)


# Search settings that do not change any score: a resumed search may change them (a larger budget, more exports).
NOT_SCORE_SETTINGS = ('strategy', 'max_evals', 'top_n', 'seed')


def search_context(search_cfg: Mapping[str, Any], checkpoint: str | Path) -> dict[str, Any]:
    """What every score of a search depends on, recorded in its state: the supernet checkpoint's content and the
    settings of scoring and constraints. The strategy, budget and seed are checked by the searcher itself."""
    settings = {k: v for k, v in search_cfg.items() if k not in NOT_SCORE_SETTINGS}
    return dict(checkpoint=file_identity(checkpoint), settings=settings)


def check_constraints(search_cfg: Mapping[str, Any], space, build_model: Callable | None = None) -> None:
    """Refuse, before the supernet trains, resource constraints that no architecture of ``space`` meets
    (:meth:`~pinas.search.constraints.ResourceConstraint.check_satisfiable`); ``build_model(arch)`` builds what is
    measured (default: the space's stand-alone network)."""
    constraint = build_constraint(search_cfg.get('constraints'),
                                  build_model or (lambda arch: build_standalone(space, arch)),
                                  input_size=space.input_size)
    if constraint is not None:
        constraint.check_satisfiable(space)


def check_top_n(search_cfg: Mapping[str, Any]) -> int:
    """``search.top_n``, refused unless the config sets it to a whole number >= 1: zero would search and export
    nothing."""
    top_n = search_cfg.get('top_n')
    if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
        raise SearchError(f'search.top_n={top_n!r}: the number of best architectures written and exported must be a '
                          'whole number >= 1 (e.g. search.top_n=3)')
    return top_n


def check_scorer(search_cfg: Mapping[str, Any]) -> None:
    """Refuse, before the supernet trains, a scorer no registry knows, a search setting the config leaves out or a
    recalibration of no batch: each would otherwise fail only when the search starts, after the training."""
    from ..registry import PROXIES
    scorer = dict(search_cfg.get('scorer') or {})
    kind = scorer.get('type')
    if kind not in PROXIES.module_dict:
        raise SearchError(f'search.scorer.type={kind!r} is not a scorer; choose one of '
                          f'{", ".join(sorted(PROXIES.module_dict))}')
    missing = missing_search_settings(search_cfg)
    if missing:
        raise SearchError(f'the config does not set {", ".join(missing)}; the search reads every setting from the '
                          'config: set them as configs/search/pinas_embedded.py and its bases do')
    batches = scorer['recalib_batches']
    if batches is not None and (not isinstance(batches, int) or isinstance(batches, bool) or batches < 1):
        raise SearchError(f'search.scorer.recalib_batches={batches!r}: BN recalibration needs at least 1 batch '
                          '(None: the whole recalibration set)')


def run_search(cfg: Config, model, checkpoint: str | Path) -> dict[str, Any]:
    """Search with ``cfg.search`` over the supernet in ``model`` (loaded from ``checkpoint``); export the top archs."""
    model = unwrap_model(model)
    model.eval()
    search_cfg = cfg['search']
    top_n = check_top_n(search_cfg)
    space = model.space
    # a second search of one supernet names its own search dir (search.out_dir)
    work = SearchWorkDir(cfg.work_dir, search_cfg.get('out_dir', SEARCH_DIR))
    out_dir = work.search
    strategy = build_strategy(search_cfg['strategy'], space, search_cfg.get('constraints'),
                              build_model=lambda arch: build_standalone(space, arch))
    searcher = Searcher(space, strategy, build_scorer(model, search_cfg), max_evals=search_cfg.get('max_evals'),
                        state_file=work.state, seed=search_cfg['seed'],
                        context=search_context(search_cfg, checkpoint),
                        derived=work.outputs)
    result = searcher.run()
    if not result.history:  # nothing to rank: no empty table or arch directory is written
        constraints = dict(search_cfg.get('constraints') or {})
        raise SearchError(f'the search evaluated no architecture: the {strategy.name} strategy proposed none'
                          + (f' within the constraints {constraints}; relax them' if constraints else
                             '; check search.strategy'))
    outputs, exports = {}, []
    logger = MMLogger.get_current_instance()
    if get_rank() == 0:  # every rank holds the same history; one writes the files
        outputs = write_search_outputs(result.history, space, out_dir, top_n=top_n,
                                       scorer=search_cfg['scorer']['type'])
        if space.exports_backbones:
            exports = [export_architecture(checkpoint, e.arch, space, work.export_dir, score=e.score)
                       for e in result.top(top_n)]
        else:
            logger.info(f'{space.name}: the best architectures are arch files in {work.best_dir}, and no '
                        'backbone file is exported; the downstream PiNASTrack1ResNet(arch=ARCH_FILE, init_cfg='
                        f'dict(type=\'Pretrained\', checkpoint=\'{checkpoint}\')) slices a plain supernet\'s '
                        'weights at build time (an enhanced CEPT supernet\'s blocks have no stand-alone counterpart)')
    barrier()
    logger.info(f'search done: best {space.format(result.best.arch)} (score {result.best.score:.4f}); '
                f'outputs in {out_dir}')
    return dict(result=result, outputs=outputs, exports=exports)
