"""A search work dir's layout and readers (pinas.search.work_dir), and the one ranked-table writer and reader
(pinas.ranking.tables) that search, the zero-cost tool and the ranking studies share."""
import json
from pathlib import Path

import pytest

from pinas.arch import Arch
from pinas.ranking.tables import TableError, ranked_rows, read_ranked_rows, read_table, write_ranked_table
from pinas.search import Evaluation, SearchWorkDir, write_search_outputs
from pinas.spaces import build_space

ROOT = Path(__file__).resolve().parents[3]
SPACE = build_space('pinas_resnest_tiny').replace(depths=(1, 1, 1, 1))
HISTORY = [Evaluation(Arch((0, 1, 2, 3)), 0.5, dict(params_M=1.25)),
           Evaluation(Arch((3, 2, 1, 0)), 0.75, dict(params_M=2.0)),
           Evaluation(Arch((1, 1, 1, 1)), 0.25, dict(params_M=1.0))]


def searched(tmp_path) -> SearchWorkDir:
    work = SearchWorkDir(tmp_path / 'run')
    write_search_outputs(HISTORY, SPACE, work.search, top_n=2, scorer='top1')
    return work


def test_a_search_writes_where_the_work_dir_says_and_reads_back(tmp_path):
    work = searched(tmp_path)
    assert work.table_json == tmp_path / 'run' / 'search' / 'ranked.json' and work.table_csv.is_file()
    assert sorted(p.name for p in work.best_dir.iterdir()) == ['top1_3210.json', 'top2_0123.json']
    rows = work.ranked_rows()
    assert [(r['rank'], r['arch'], r['score'], r['eval_index']) for r in rows] == [
        (1, '3210', 0.75, 1), (2, '0123', 0.5, 0), (3, '1111', 0.25, 2)]
    assert work.ranked_row('0123')['rank'] == 2 and work.ranked_row('2222') is None
    assert read_ranked_rows(work.table_csv)[0]['arch'] == '3210'  # the CSV holds the same rows, as text
    assert [data['rank'] for data in work.arch_files().values()] == [1, 2] and work.exports() == {}
    assert work.exported_backbone('3210') is None and work.latest_checkpoint() is None


def test_a_work_dir_is_found_from_itself_its_search_dir_or_an_arch_file(tmp_path):
    work = searched(tmp_path)
    assert SearchWorkDir.find(work.root) == work == SearchWorkDir.find(work.search)
    assert SearchWorkDir.of_arch_file(work.top_arch(1, '3210')) == work
    assert SearchWorkDir.of_arch_file(tmp_path / 'elsewhere' / 'export' / 'x.json') is None
    with pytest.raises(FileNotFoundError, match='holds no ranked.json'):
        SearchWorkDir.find(tmp_path)
    other = SearchWorkDir(tmp_path / 'run', 'search_knn')  # a second search of one supernet (search.out_dir)
    assert other.state == tmp_path / 'run' / 'search_knn' / 'state.json'


def test_exported_files_are_named_by_the_work_dir(tmp_path):
    work = searched(tmp_path)
    files = work.export_files('3210')
    assert [p.name for p in files.values()] == ['3210.json', '3210_timm.pth', '3210_mmengine_backbone.pth']
    files['arch'].parent.mkdir()
    files['arch'].write_text(json.dumps(dict(arch='3210', space=SPACE.name)))
    files['backbone'].write_bytes(b'')
    assert list(work.exports()) == [files['arch']] and work.exported_backbone('3210') == files['backbone']


def test_the_writer_keeps_both_json_forms_byte_for_byte(tmp_path):
    rows = ranked_rows({'01': 1.0, '02': 3.0, '03': float('nan')})
    compact, = write_ranked_table(rows, tmp_path / 'compact.json')
    assert compact.read_text() == json.dumps([dict(arch='02', score=3.0), dict(arch='01', score=1.0)])
    pretty, table = write_ranked_table(rows, tmp_path / 'pretty.json', tmp_path / 'pretty.csv', pretty=True)
    assert pretty.read_text() == json.dumps(rows, indent=1) + '\n'
    assert table.read_bytes() == b'arch,score\r\n02,3.0\r\n01,1.0\r\n'
    assert read_ranked_rows(pretty) == rows and read_table(table).values == {'02': 3.0, '01': 1.0}


@pytest.mark.parametrize('table', ['results/ranking/track1/cept_scores.json',
                                   'results/ranking/baselines/track1_resnet20/params.json'])
def test_committed_tables_rebuild_byte_identical_through_the_one_writer(tmp_path, table):
    committed = ROOT / table
    rows = read_ranked_rows(committed)
    written, = write_ranked_table(ranked_rows({r['arch']: r['score'] for r in rows}), tmp_path / 'table.json')
    assert written.read_bytes() == committed.read_bytes()


def test_the_row_reader_refuses_what_is_not_a_ranked_table(tmp_path):
    (tmp_path / 'gt.json').write_text(json.dumps({'0123': 1.0}))
    with pytest.raises(TableError, match='not a ranked table'):
        read_ranked_rows(tmp_path / 'gt.json')
    (tmp_path / 'empty.json').write_text('[]')
    with pytest.raises(TableError, match='non-empty list of rows'):
        read_ranked_rows(tmp_path / 'empty.json')
