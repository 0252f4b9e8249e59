"""Search configs (configs/search/*.py): every one loads, and its lr schedule follows ``train_cfg.max_epochs`` alone.

The schedules in configs/search/_base_/schedules/ name neither ``end`` nor ``T_max`` for the cosine: mmengine's
Runner sets a missing ``end`` to the training length and CosineAnnealingLR anneals over ``end - begin``, so
``--cfg-options train_cfg.max_epochs=N`` gives a cosine over N epochs with nothing else patched.
"""
import math
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.optim.scheduler import CosineAnnealingLR
from mmengine.runner import Runner
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
SEARCH_CONFIGS = sorted((ROOT / 'configs/search').glob('*.py'))
EPOCHS_AFTER_WARMUP = 3
ITERS_PER_EPOCH = 2


class Toy(BaseModel):
    """One weight: the runner only needs something to optimise."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs).pow(2).mean()
        return dict(loss=out) if mode == 'loss' else out


def cosine_cfg(cfg: Config):
    cosines = [s for s in cfg.param_scheduler if s.type == 'CosineAnnealingLR']
    assert len(cosines) == 1 and cfg.param_scheduler[-1] is cosines[0]
    return cosines[0]


def test_every_search_config_is_covered():
    names = {p.name.split('_')[0] for p in SEARCH_CONFIGS}
    assert names == {'pinas', 'spos', 'cept'} and len(SEARCH_CONFIGS) >= 14


@pytest.mark.parametrize('path', SEARCH_CONFIGS, ids=lambda p: p.stem)
def test_config_loads_with_a_schedule_that_follows_max_epochs(path):
    cfg = Config.fromfile(str(path))
    assert cfg.train_cfg.type == 'EpochBasedTrainLoop' and cfg.train_cfg.max_epochs > 0
    cosine = cosine_cfg(cfg)
    # nothing in the scheduler repeats the training length: --cfg-options train_cfg.max_epochs=N is enough
    assert 'T_max' not in cosine and 'end' not in cosine and cosine.by_epoch


@pytest.mark.parametrize('path', SEARCH_CONFIGS, ids=lambda p: p.stem)
def test_overriding_max_epochs_alone_gives_a_cosine_over_those_epochs(path, tmp_path):
    cfg = Config.fromfile(str(path))
    cosine = cosine_cfg(cfg)
    begin = cosine.get('begin', 0)  # the warm-up epochs before the cosine (SPOS on ImageNet: 5)
    epochs = begin + EPOCHS_AFTER_WARMUP
    cfg.merge_from_dict({'train_cfg.max_epochs': epochs})  # what --cfg-options does
    base_lr = cfg.optim_wrapper.optimizer.lr
    data = [dict(inputs=torch.ones(1))] * ITERS_PER_EPOCH
    runner = Runner(
        model=Toy(), work_dir=str(tmp_path), experiment_name=f'schedule_{path.stem}',
        train_dataloader=torch.utils.data.DataLoader(data, batch_size=1),
        train_cfg=cfg.train_cfg, param_scheduler=cfg.param_scheduler,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=base_lr)),
        default_hooks=dict(checkpoint=None, logger=None), log_level='WARNING')
    runner.train()
    built = [s for s in runner.param_schedulers if isinstance(s, CosineAnnealingLR)]
    assert len(built) == 1
    assert (built[0].begin, built[0].end, built[0].T_max) == (begin, epochs, EPOCHS_AFTER_WARMUP)
    assert runner.train_loop.epoch == epochs
    # the last epoch trained at the last point before the cosine's end (mmengine steps a scheduler on [begin, end)):
    # eta_min is reached exactly when the overridden training ends, not at the config's own max_epochs
    t_max = EPOCHS_AFTER_WARMUP
    last = cosine.eta_min + (base_lr - cosine.eta_min) * (1 + math.cos(math.pi * (t_max - 1) / t_max)) / 2
    assert runner.optim_wrapper.get_lr()['lr'][0] == pytest.approx(last, rel=1e-9)


@pytest.mark.parametrize('path', SEARCH_CONFIGS, ids=lambda p: p.stem)
def test_every_search_config_searches_after_training(path):
    """A cluster run reaches the proxy, the search and the export: every config has a search section whose
    strategy, proxy and datasets are registered and whose recalibration protocol is known."""
    import pinas.datasets  # noqa: F401  (registers the datasets)
    import pinas.search  # noqa: F401  (registers strategies and proxies)
    from pinas.registry import DATASETS, PROXIES, STRATEGIES
    from pinas.search.scoring import RECALIBRATION_PROTOCOLS
    search = Config.fromfile(str(path)).search
    assert search.strategy.type in STRATEGIES.module_dict and search.scorer.type in PROXIES.module_dict
    assert search.scorer.get('recalibration', {}).get('protocol', 'precise') in RECALIBRATION_PROTOCOLS
    assert {'recalib', 'val'} <= set(search.data)
    for name in ('recalib', 'val', 'memory', 'train'):
        if name in search.data:
            assert search.data[name].type in DATASETS.module_dict


@pytest.mark.parametrize('path, protocol, strategy, evaluations', [
    ('pinas_resnest50d_8xb24-amp-100e_imagenet.py', 'precise', 'lanas', 1000),
    ('spos_resnest50d_8xb64-amp-120e_imagenet.py', 'precise', 'evolution', 1000),
    ('cept_step4_resnet20_1xb128-100e_cifar100.py', 'momentum', 'table', None),
])
def test_paper_configs_search_with_their_original_protocol(path, protocol, strategy, evaluations):
    cfg = Config.fromfile(str(ROOT / 'configs/search' / path))
    assert cfg.search.scorer.recalibration.protocol == protocol and cfg.search.strategy.type == strategy
    if strategy == 'lanas':
        assert cfg.search.strategy.max_samples == evaluations
        assert cfg.search.scorer.head.epochs == 100 and tuple(cfg.search.scorer.head.milestones) == (60, 80)
        assert cfg.search.data.recalib.subset == 50000 and 'subset' not in cfg.search.data.val
    if strategy == 'evolution':
        assert cfg.search.strategy.population_size * cfg.search.strategy.max_generations == evaluations
    if strategy == 'table':  # the winner's: momentum 0.1, no reset, a random 10 % of train, the 10k test images
        assert cfg.search.scorer.recalibration.momentum == 0.1 and cfg.search.data.recalib.subset == 5000
        assert cfg.search.data.val.train is False


@pytest.mark.parametrize('config, wrapper', [('spos_embedded.py', 'AmpSupernetOptimWrapper'),
                                             ('cept_embedded.py', 'AmpOptimWrapper')])
def test_amp_keeps_the_supernet_optimizer_rule(config, wrapper, monkeypatch):
    """--amp swaps in the mixed-precision twin: unsampled candidates still take no step (a GPU is faked)."""
    from pinas.apis import load_config
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = load_config(str(ROOT / 'configs/search' / config), amp=True)
    assert cfg.optim_wrapper.type == wrapper and cfg.optim_wrapper.loss_scale == 'dynamic'
