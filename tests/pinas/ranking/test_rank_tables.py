"""Score / ground-truth tables: every supported format, code normalisation, joining and its errors."""
import json

import pytest

from pinas.arch import Arch
from pinas.ranking import TableError, join_tables, read_table
from pinas.spaces import build_space
from pinas.search import Evaluation, write_search_table

ROWS = [('0123', 0.9), ('3210', 0.5), ('1111', 0.7), ('2222', 0.1)]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_ranked_json_rows(tmp_path):
    path = write(tmp_path, 'ranked.json', [dict(arch=a, score=s, rank=i) for i, (a, s) in enumerate(ROWS)])
    table = read_table(path)
    assert table.format == 'ranked-json' and table.key == 'score'
    assert table.values == dict(ROWS)


def test_ranked_csv_keeps_leading_zeros_and_picks_a_key(tmp_path):
    text = 'rank,arch,score,params_M\n' + ''.join(f'{i},{a},{s},{i * 1.5}\n' for i, (a, s) in enumerate(ROWS))
    path = write(tmp_path, 'ranked.csv', text)
    assert read_table(path).values == dict(ROWS)
    assert read_table(path, key='params_M').values['3210'] == 1.5


def test_plain_mapping_json(tmp_path):
    path = write(tmp_path, 'gt.json', {'0-1-2-3': 1.0, '3 2 1 0': 2.0, '1111': 3.0})
    table = read_table(path)
    assert table.format == 'mapping-json'
    assert table.values == {'0123': 1.0, '3210': 2.0, '1111': 3.0}


def test_track1_records_format(tmp_path):
    data = {'arch1': {'acc': 0.539, 'arch': '16-4-12-16'}, 'arch2': {'acc': 0.5515, 'arch': '16-8-16-16'},
            'arch3': {'acc': 0.6308, 'arch': '8-4-4-12'}}
    table = read_table(write(tmp_path, 'gt_first_1000.json', data))
    assert table.format == 'records-json' and table.key == 'acc'
    assert table.values == {'16-4-12-16': 0.539, '16-8-16-16': 0.5515, '8-4-4-12': 0.6308}


def test_keyed_records_need_a_key_when_several_fields_are_numeric(tmp_path):
    data = {'0120': {'mean_acc': 90.1, 'std': 0.2, 'params': 10},
            '2101': {'mean_acc': 91.0, 'std': 0.1, 'params': 9},
            '1111': {'mean_acc': 89.0, 'std': 0.3, 'params': 8}}
    path = write(tmp_path, 'bench.json', data)
    with pytest.raises(TableError, match='--gt-key'):
        read_table(path)
    assert read_table(path, key='mean_acc').values == {'0120': 90.1, '2101': 91.0, '1111': 89.0}
    with pytest.raises(TableError, match="no field 'acc'"):
        read_table(path, key='acc')


def test_join_matches_normalised_codes_and_counts(tmp_path):
    scores = read_table(write(tmp_path, 's.json', [dict(arch='0-1-2-3', score=3), dict(arch='3210', score=1),
                                                   dict(arch='1111', score=2), dict(arch='0000', score=0)]))
    truth = read_table(write(tmp_path, 't.json', {'0123': 30, '3-2-1-0': 10, '1 1 1 1': 20, '2222': 5}))
    joined = join_tables(scores, truth)
    assert joined.archs == ['0123', '3210', '1111']
    assert list(joined.scores) == [3, 1, 2] and list(joined.truth) == [30, 10, 20]
    assert (joined.n_matched, joined.n_scores, joined.n_truth) == (3, 4, 4)


def test_join_fails_clearly_below_three_matches(tmp_path):
    scores = read_table(write(tmp_path, 's.json', {'0123': 1, '3210': 2, '1111': 3}))
    truth = read_table(write(tmp_path, 't.json', {'0123': 1, '3210': 2, '2-2-2-2-2': 3}))
    with pytest.raises(TableError, match=r'only 2 architecture\(s\).*at least 3.*same search space'):
        join_tables(scores, truth)


@pytest.mark.parametrize('data, message', [
    ([dict(arch='0123', score=1), dict(arch='0-1-2-3', score=2)], 'appears twice'),
    ([dict(arch=123, score=1)], 'leading zeros'),
    ([dict(arch='01x3', score=1)], 'not a string of digits'),
    ([dict(arch='0123', score='high')], 'not a number'),
    ([dict(code='0123', score=1)], 'no "arch" field'),
])
def test_bad_tables_raise_clear_errors(tmp_path, data, message):
    with pytest.raises(TableError, match=message):
        read_table(write(tmp_path, 'bad.json', data))


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(TableError, match='does not exist'):
        read_table(tmp_path / 'nope.json')
    with pytest.raises(TableError, match='not valid JSON'):
        read_table(write(tmp_path, 'broken.json', '{"0123": '))


def test_search_output_tables_read_back(tmp_path):
    history = [Evaluation(Arch((0, 1, 2, 3)), 0.5, dict(params_M=1.25)),
               Evaluation(Arch((3, 2, 1, 0)), 0.75, dict(params_M=2.0))]
    json_path, csv_path = write_search_table(history, build_space('pinas_resnest_tiny').replace(depths=(1, 1, 1, 1)),
                                              tmp_path / 'ranked.json', tmp_path / 'ranked.csv')
    for path in (json_path, csv_path):
        assert read_table(path).values == {'0123': 0.5, '3210': 0.75}
    assert read_table(csv_path, key='params_M').values['0123'] == 1.25


def test_a_table_key_reads_back_as_the_same_architecture_in_its_space():
    """Track-1 codes whose widths are all one digit ('4-4-...-4') are keyed without dashes, like index codes; a
    table key goes back into a space through space_arch, never through space.parse of the key itself."""
    from pinas.ranking.tables import space_arch, table_code
    from pinas.spaces import build_space
    track1, resnest = build_space('track1_resnet20'), build_space('pinas_resnest_tiny')
    smallest = track1.format(track1.min_arch())
    assert table_code(smallest) == '4' * 20 and space_arch(track1, table_code(smallest)) == track1.min_arch()
    wide = '16-16-16-16-16-16-16-32-32-32-32-32-32-64-64-64-64-64-64-64'
    assert space_arch(track1, table_code(wide)) == track1.max_arch()
    assert space_arch(resnest, table_code('0-1-2-3-0-1')) == resnest.parse('012301')
