"""The leaderboard committed under results/leaderboard/ is what its committed records give: rebuilt with the
command in docs/studies.md, every text output is byte-identical (so no number in it was typed by hand, and a
record added without rebuilding the leaderboard fails here)."""

from leaderboard_helpers import REPO

from pinas.leaderboard.build import CORRELATIONS, CSV, MARKDOWN
from tools import leaderboard as tool

RESULTS = REPO / 'results' / 'leaderboard'
SCORES = 'results/leaderboard/transfer_study/scores'
# The command in docs/studies.md, "Transfer study on the embedded default" (without --screenshot).
ARGS = ['results/leaderboard/paper', 'results/leaderboard/transfer_study',
        '--scores', f'pinas:knn={SCORES}/pinas_track1.ranked.json', '--baselines', 'params', 'flops']


def test_committed_leaderboard_is_rebuilt_byte_identical_from_its_records(tmp_path, monkeypatch, capsys):
    readme = (REPO / 'docs' / 'studies.md').read_text()
    assert ' '.join(ARGS[2:4]).replace(f'{SCORES}/', '$S/') in readme
    monkeypatch.chdir(REPO)  # the outputs name the tables as given: relative to the repository
    assert tool.main(ARGS + ['--out', str(tmp_path)]) == 0, capsys.readouterr().err
    for name in (MARKDOWN, CSV, CORRELATIONS, 'model-index.yml'):
        assert (tmp_path / name).read_bytes() == (RESULTS / name).read_bytes(), (
            f'{name} differs from results/leaderboard/{name}: rebuild it with the command in docs/studies.md')
    metafiles = sorted(p.relative_to(tmp_path) for p in (tmp_path / 'metafiles').rglob('*.yml'))
    assert metafiles == sorted(p.relative_to(RESULTS) for p in (RESULTS / 'metafiles').rglob('*.yml'))
    for path in metafiles:
        assert (tmp_path / path).read_bytes() == (RESULTS / path).read_bytes(), path
