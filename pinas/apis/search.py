"""The search stage of ``tools/search.py``: score architectures of a trained supernet, search, export the best.

Settings come from the config's ``search`` section (see ``configs/search/pinas_embedded.py``). The search state is
checkpointed under ``<work_dir>/search/state.json`` after every evaluation, so an interrupted search resumes
without re-scoring.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.dist import barrier, get_rank
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper
from torch.utils.data import DataLoader

from ..models import build_standalone
from ..registry import DATASETS
from ..search.builder import build_strategy
from ..search.searcher import Searcher
from ..search.outputs import write_search_outputs
from ..search.scoring import Scorer, train_linear_head
from .export import export_architecture


def _loader_factory(dataset_cfg: Mapping[str, Any], batch_size: int):
    dataset = DATASETS.build(dict(dataset_cfg))

    def make():
        return DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=0, collate_fn=default_collate)
    return make


def build_scorer(model, search_cfg: Mapping[str, Any]) -> Scorer:
    """The scorer of ``search_cfg.scorer`` over ``model.supernet``, with its data loaders."""
    scorer_cfg = dict(search_cfg['scorer'])
    kind = scorer_cfg.pop('type')
    recalib_batches = scorer_cfg.pop('recalib_batches', 20)
    data = search_cfg['data']
    batch_size = data.get('batch_size', 128)
    loaders = {name: _loader_factory(data[name], batch_size) for name in ('recalib', 'val', 'memory', 'train')
               if name in data}
    if kind == 'linear_probe':
        probe = dict(scorer_cfg.pop('head'))
        scorer_cfg['head'] = train_linear_head(model.supernet, loaders['train'], probe['num_classes'],
                                               probe.get('epochs', 1), probe.get('lr', 30.0),
                                               lambda: model.sampler.uniform(1)[0])
    return Scorer(model.supernet, kind, loaders['recalib'], loaders['val'], recalib_batches,
                  memory=loaders.get('memory'), options=scorer_cfg)


def run_search(cfg: Config, model, checkpoint: str | Path) -> dict[str, Any]:
    """Search with ``cfg.search`` over the supernet in ``model`` (loaded from ``checkpoint``); export the top archs."""
    model = model.module if is_model_wrapper(model) else model
    model.eval()
    search_cfg = cfg['search']
    space = model.space
    out_dir = Path(cfg.work_dir) / 'search'
    strategy = build_strategy(search_cfg['strategy'], space, search_cfg.get('constraints'),
                              build_model=lambda arch: build_standalone(space, arch))
    searcher = Searcher(space, strategy, build_scorer(model, search_cfg), max_evals=search_cfg.get('max_evals'),
                        state_file=out_dir / 'state.json', seed=search_cfg.get('seed', 0))
    result = searcher.run()
    top_n = search_cfg.get('top_n', 3)
    outputs, exports = {}, []
    logger = MMLogger.get_current_instance()
    if get_rank() == 0:  # every rank holds the same history; one writes the files
        outputs = write_search_outputs(result.history, space, out_dir, top_n=top_n,
                                       scorer=search_cfg['scorer']['type'])
        if space.exports_backbones:
            exports = [export_architecture(checkpoint, e.arch, space, out_dir / 'export', score=e.score)
                       for e in result.top(top_n)]
        else:
            logger.info(f'{space.name}: the best architectures are arch files in {out_dir / "top_archs"}; this '
                        'space\'s paths are not stand-alone networks, so no backbone is exported')
    barrier()
    logger.info(f'search done: best {space.format(result.best.arch)} (score {result.best.score:.4f}); '
                f'outputs in {out_dir}')
    return dict(result=result, outputs=outputs, exports=exports)
