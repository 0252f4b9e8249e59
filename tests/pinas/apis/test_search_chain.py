"""``tools/search.py``'s chain on the embedded default (shrunk): train, score, search, outputs, export; in both
kinds of space."""
import json
from pathlib import Path

import pytest

from pinas.apis import load_config, train_and_search
from pinas.arch import read_arch_file
from pinas.ranking import read_table

ROOT = Path(__file__).resolve().parents[3]


def _cfg(name, work_dir, data_root):
    small = {'train_dataloader.dataset.synthetic.train_per_class': 4,
             'train_dataloader.dataset.synthetic.val_per_class': 2, 'train_dataloader.dataset.root': data_root,
             'train_dataloader.batch_size': 16, 'train_dataloader.num_workers': 0,
             'train_dataloader.persistent_workers': False, 'train_cfg.max_epochs': 1,
             'search.strategy': dict(_delete_=True, type='random', max_evals=3), 'search.top_n': 2,
             'search.data.batch_size': 16, 'search.scorer.recalib_batches': 2}
    for split in ('recalib', 'val'):
        small[f'search.data.{split}.root'] = data_root
    return load_config(str(ROOT / 'configs/search' / name), cfg_options=small, work_dir=str(work_dir))


@pytest.mark.slow
@pytest.mark.parametrize('name', ['spos_embedded.py', 'spos_track1_embedded.py'])
def test_search_chain_writes_tables_arch_files_and_exports(name, tmp_path):
    cfg = _cfg(name, tmp_path / 'work', str(tmp_path / 'data'))
    runner, search = train_and_search(cfg)
    space = runner.model.space
    out = tmp_path / 'work' / 'search'
    table = read_table(out / 'ranked.json')
    assert len(table.values) == 3 and set(table.values) == {space.format(e.arch) for e in search['result'].history}
    assert read_table(out / 'ranked.csv').values == table.values
    tops = sorted((out / 'top_archs').glob('top*.json'))
    assert [read_arch_file(p) for p in tops] == [space.format(e.arch) for e in search['result'].top(2)]
    if name == 'spos_embedded.py':  # ResNeSt architectures become backbones with inherited weights
        best = search['exports'][0]
        assert best['timm'].is_file() and best['backbone'].is_file()
        assert json.loads(best['arch'].read_text())['arch'] == space.format(search['result'].best.arch)
    else:  # Track-1 paths run enhanced blocks that no stand-alone network reproduces: arch files only
        assert search['exports'] == [] and not (out / 'export').exists()
    # a second run finds the finished supernet and the finished search: nothing is trained or scored again
    _, again = train_and_search(_cfg(name, tmp_path / 'work', str(tmp_path / 'data')))
    assert [e.score for e in again['result'].history] == [e.score for e in search['result'].history]
