"""Supernet training end to end on the embedded default (shrunk): each method, resume, and 2 CPU processes."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from pinas.apis import load_config, train_supernet

ROOT = Path(__file__).resolve().parents[3]
SMALL_DATA = {'train_dataloader.dataset.synthetic.train_per_class': 4,
              'train_dataloader.dataset.synthetic.val_per_class': 2,
              'train_dataloader.batch_size': 16, 'train_dataloader.num_workers': 0,
              'train_dataloader.persistent_workers': False, 'default_hooks.logger.interval': 1}
CONTRASTIVE = {'model.queue_len': 64, 'model.neck.hidden_channels': 32}


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp('embedded'))


def _cfg(name, work_dir, data_root, **options):
    return load_config(str(ROOT / 'configs/search' / name),
                       cfg_options={**SMALL_DATA, 'train_dataloader.dataset.root': data_root, 'train_cfg.max_epochs': 1,
                                    **options}, work_dir=str(work_dir))


@pytest.fixture(scope='module')
def trained(tmp_path_factory, data_root):
    """One epoch of a config, trained once per module: the tests that start from it (CEPT's step 2, a resume) copy
    or read its work dir and never write into it."""
    runs = {}

    def run(name, **options):
        key = (name, tuple(sorted(options.items())))
        if key not in runs:
            work_dir = tmp_path_factory.mktemp(Path(name).stem)
            runner = train_supernet(_cfg(name, work_dir, data_root, **options))
            losses = [b.current() for k, b in runner.message_hub.log_scalars.items() if k.startswith('train/loss')]
            runs[key] = (work_dir, losses)
        return runs[key]
    return run


@pytest.mark.slow
@pytest.mark.parametrize('name, options', [
    ('pinas_embedded.py', CONTRASTIVE),
    ('spos_embedded.py', {}),
    ('cept_embedded.py', {}),
    ('spos_track1_embedded.py', {}),
    ('pinas_track1_embedded.py', CONTRASTIVE),
])
def test_each_method_trains_on_the_embedded_default(name, options, trained):
    work_dir, losses = trained(name, **options)
    assert (work_dir / 'epoch_1.pth').is_file()
    assert losses and all(torch.isfinite(torch.tensor(loss)) for loss in losses)


@pytest.mark.slow
def test_cept_step_two_starts_from_step_one(tmp_path, data_root, trained):
    step1, _ = trained('cept_embedded.py')
    runner = train_supernet(_cfg('cept_embedded_step2.py', tmp_path / 'step2', data_root,
                                 **{'model.init_from': str(step1), 'model.num_paths': 2,
                                    'model.look_num': 1, 'model.max_recover': 1}))
    assert (tmp_path / 'step2' / 'epoch_1.pth').is_file()
    assert runner.model.step == 2


@pytest.mark.slow
def test_resume_continues_from_the_last_checkpoint(tmp_path, data_root, trained):
    shutil.copytree(trained('pinas_embedded.py', **CONTRASTIVE)[0], tmp_path, dirs_exist_ok=True)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))  # the copy's, not the original's
    first = torch.load(tmp_path / 'epoch_1.pth', map_location='cpu', weights_only=True)  # weights-only works
    cfg = _cfg('pinas_embedded.py', tmp_path, data_root, **CONTRASTIVE, **{'train_cfg.max_epochs': 2})
    cfg.resume = True
    runner = train_supernet(cfg)
    assert runner.epoch == 2 and (tmp_path / 'epoch_2.pth').is_file()
    second = torch.load(tmp_path / 'epoch_2.pth', map_location='cpu', weights_only=True)
    assert second['meta']['iter'] == 2 * first['meta']['iter']  # continued, not restarted
    assert not torch.equal(first['state_dict']['queue'], second['state_dict']['queue'])
    # the paths after resuming are those of an uninterrupted run (the sampler did not restart from its seed)
    train_supernet(_cfg('pinas_embedded.py', tmp_path / 'straight', data_root, **CONTRASTIVE,
                        **{'train_cfg.max_epochs': 2}))
    straight = torch.load(tmp_path / 'straight' / 'epoch_2.pth', map_location='cpu', weights_only=True)
    assert second['path_sampler'] == straight['path_sampler'] != first['path_sampler']


SMALL_SEARCH = {'search.strategy.population_size': 2, 'search.strategy.max_generations': 1,
                'search.strategy.top_k': 1, 'search.strategy.num_mutation': 1, 'search.strategy.num_crossover': 1,
                'search.scorer.recalib_batches': 2, 'search.data.batch_size': 8, 'search.data.recalib.subset': 16,
                'search.data.val.subset': 16, 'search.top_n': 1}


def _dist_search(config, work_dir, data_root, options, train_only=True):
    """``tools/dist_search.sh CONFIG 2``: two CPU processes under torchrun with gloo."""
    env = {**os.environ, 'PORT': str(29600 + os.getpid() % 300), 'PYTHON': sys.executable, 'OMP_NUM_THREADS': '1'}
    options = {**SMALL_DATA, 'train_dataloader.dataset.root': data_root, 'train_cfg.max_epochs': 1,
               'env_cfg.dist_cfg.backend': 'gloo', **options}
    if not train_only:
        options.update({f'{k}': v for k, v in SMALL_SEARCH.items()})
        options.update({f'search.data.{name}.root': data_root for name in ('recalib', 'val', 'memory')
                        if name in load_config(str(ROOT / 'configs/search' / config)).search.data})
    result = subprocess.run(['bash', str(ROOT / 'tools/dist_search.sh'), str(ROOT / 'configs/search' / config), '2',
                             '--work-dir', str(work_dir), *(['--train-only'] if train_only else []),
                             '--cfg-options', *[f'{k}={v}' for k, v in options.items()]],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (work_dir / 'epoch_1.pth').is_file()
    log = next(work_dir.glob('*/*.log')).read_text()
    assert 'world_size: 2' in log or 'Distributed training: True' in log


@pytest.mark.slow
@pytest.mark.parametrize('config, options', [
    ('pinas_embedded.py', CONTRASTIVE),
    ('spos_embedded.py', {}),
    ('spos_track1_embedded.py', {}),
    ('pinas_track1_embedded.py', CONTRASTIVE),
])
def test_every_method_trains_in_two_cpu_processes_with_gloo(config, options, tmp_path, data_root):
    _dist_search(config, tmp_path, data_root, options)


@pytest.mark.slow
def test_cept_steps_one_to_four_train_and_search_in_two_cpu_processes(tmp_path, data_root):
    """Each step starts from the previous one's work dir; the last one also searches, scoring through the
    per-submodule DDP wrapper CEPT trains under."""
    previous = None
    for step, config in enumerate(['cept_embedded.py', 'cept_embedded_step2.py', 'cept_embedded_step3.py',
                                   'cept_embedded_step4.py'], start=1):
        options = {} if previous is None else {'model.init_from': str(previous), 'model.num_paths': 2}
        if step == 2:
            options.update({'model.look_num': 1, 'model.max_recover': 1})
        work_dir = tmp_path / f'step{step}'
        _dist_search(config, work_dir, data_root, options, train_only=step < 4)
        previous = work_dir
    assert (previous / 'search' / 'ranked.json').is_file()
