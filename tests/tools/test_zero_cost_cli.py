"""tools/zero_cost.py: one rank_eval-readable table per proxy, and bad input answered in one line with exit 2."""
import json
from pathlib import Path

import pytest

from pinas.ranking import evaluate_tables
from tools import zero_cost

pytestmark = pytest.mark.usefixtures('one_thread')  # tests/conftest.py

REPO = Path(__file__).resolve().parents[2]
TRACK1_CODES = ['4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4', '16-8-16-8-16-8-16-16-16-16-16-16-16-16-16-16-16-16-16-16',
                '8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8', '12-4-12-4-12-4-12-8-12-8-12-8-12-8-24-8-24-8-24-8']


@pytest.fixture(scope='module')
def tool():
    return zero_cost


def tiny_data(tmp_path):
    """The embedded config on a two-images-per-class copy of the dataset, 8-image batches and one init seed."""
    return ['--cfg-options', f'zero_cost.data.root={tmp_path / "data"}', 'zero_cost.data.synthetic.train_per_class=2',
            'zero_cost.data.synthetic.val_per_class=1', 'zero_cost.batch_size=8', 'zero_cost.init_seeds=[0]']


def test_writes_one_ranked_table_per_proxy_that_rank_eval_reads(tool, tmp_path, capsys):
    gt = [dict(arch=code, score=float(i)) for i, code in enumerate(TRACK1_CODES)]
    (tmp_path / 'gt.json').write_text(json.dumps(gt + gt[:1]))  # a repeated architecture is scored once
    out = tmp_path / 'out'
    argv = ['track1_resnet20', str(tmp_path / 'gt.json'), '--proxies', 'params', 'synflow', 'naswot',
            '--out', str(out), '--device', 'cpu', *tiny_data(tmp_path)]
    assert tool.main(argv) == 0
    stdout = capsys.readouterr().out
    assert '4 architectures of track1_resnet20' in stdout and '[4/4]' in stdout
    tau = evaluate_tables(out / 'params.json', tmp_path / 'gt.json', topk=[2], bootstrap=0).metrics[0].value
    assert f'params     Kendall tau-b {tau:+.3f} against score of 4 architectures' in stdout
    for proxy in ('params', 'synflow', 'naswot'):
        rows = json.loads((out / f'{proxy}.json').read_text())
        assert sorted(r['arch'] for r in rows) == sorted(TRACK1_CODES)
        assert [r['score'] for r in rows] == sorted((r['score'] for r in rows), reverse=True)
        assert evaluate_tables(out / f'{proxy}.json', tmp_path / 'gt.json', topk=[2], bootstrap=0).joined.n_matched == 4
    meta = json.loads((out / 'zero_cost.json').read_text())
    assert meta['num_archs'] == 4 and meta['zero_cost']['batch_size'] == 8 and meta['space'] == 'track1_resnet20'


def test_an_architecture_list_needs_no_data_for_architecture_proxies(tool, tmp_path):
    (tmp_path / 'archs.txt').write_text('\n'.join(['012301', '333333', '']) + '\n')
    argv = ['pinas_resnest_tiny', str(tmp_path / 'archs.txt'), '--proxies', 'params', '--out', str(tmp_path / 'o'),
            '--config', str(REPO / 'configs/ranking/zero_cost_cifar10.py')]
    assert tool.main(argv) == 0
    assert len(json.loads((tmp_path / 'o' / 'params.json').read_text())) == 2


@pytest.mark.parametrize('space, archs, extra, message', [
    ('track1_resnet20', 'archs.txt', ['--proxies', 'params', 'nope'], 'unknown zero-cost proxy nope; known: params'),
    ('nospace', 'archs.txt', [], "unknown search space 'nospace'"),
    ('track1_resnet20', 'empty.txt', [], 'lists no architectures'),
    ('pinas_resnest_tiny', 'archs.txt', [], 'has 20 positions; this space needs 6 digits'),
    ('track1_resnet20', 'archs.txt', ['--proxies', 'snip', '--config',
                                      str(REPO / 'configs/ranking/zero_cost_cifar10.py')], 'the config gives no data'),
    ('track1_resnet20', 'archs.txt', ['--config', 'nope.py'], 'config nope.py does not exist'),
    ('track1_resnet20', 'archs.txt', ['--cfg-options', 'zero_cost.batch_sise=8'],
     "zero_cost has no key 'batch_sise'; did you mean zero_cost.batch_size?"),
    ('track1_resnet20', 'archs.txt', ['--cfg-options', 'seed=[1]'],
     "--cfg-options seed: the config has no key 'seed', and this tool reads only the config's own keys"),
])
def test_bad_input_is_one_line_and_exit_2(tool, tmp_path, capsys, space, archs, extra, message):
    (tmp_path / 'archs.txt').write_text(TRACK1_CODES[0] + '\n')
    (tmp_path / 'empty.txt').write_text('\n')
    assert tool.main([space, str(tmp_path / archs), '--out', str(tmp_path / 'o'), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ') and message in err and err.count('\n') == 1
    assert not (tmp_path / 'o').exists()
