"""The leaderboard committed under results/leaderboard/ is what its committed records give: rebuilt with the
command in docs/studies.md, every text output is byte-identical (so no number in it was typed by hand, and a
record added without rebuilding the leaderboard fails here)."""

from leaderboard_helpers import REPO

from pinas.leaderboard.build import CORRELATIONS, CSV, MARKDOWN
from pinas.leaderboard.record import load_record
from tools import leaderboard as tool

RESULTS = REPO / 'results' / 'leaderboard'
SCORES = 'results/leaderboard/transfer_study/scores'
# The command in docs/studies.md, "Transfer study on the embedded default" (without --screenshot).
ARGS = ['results/leaderboard/paper', 'results/leaderboard/transfer_study',
        '--scores', f'pinas:knn={SCORES}/pinas_track1.ranked.json',
        '--scores', f'spos:top1={SCORES}/spos_resnest.ranked.json', '--baselines', 'params', 'flops']


def test_committed_leaderboard_is_rebuilt_byte_identical_from_its_records(tmp_path, monkeypatch, capsys):
    readme = (REPO / 'docs' / 'studies.md').read_text()
    assert ' '.join(ARGS[2:6]).replace(f'{SCORES}/', '$S/') in readme
    monkeypatch.chdir(REPO)  # the outputs name the tables as given: relative to the repository
    assert tool.main(ARGS + ['--out', str(tmp_path)]) == 0, capsys.readouterr().err
    for name in (MARKDOWN, CSV, CORRELATIONS, 'model-index.yml'):
        assert (tmp_path / name).read_bytes() == (RESULTS / name).read_bytes(), (
            f'{name} differs from results/leaderboard/{name}: rebuild it with the command in docs/studies.md')
    metafiles = sorted(p.relative_to(tmp_path) for p in (tmp_path / 'metafiles').rglob('*.yml'))
    assert metafiles == sorted(p.relative_to(RESULTS) for p in (RESULTS / 'metafiles').rglob('*.yml'))
    for path in metafiles:
        assert (tmp_path / path).read_bytes() == (RESULTS / path).read_bytes(), path


def test_every_committed_run_record_can_prove_its_seeds_comparable():
    """A measured record read by the leaderboard or a ground truth names the data it saw (dataset fingerprint),
    the commit and whether the tree had uncommitted changes: rows average seeds only when these agree."""
    committed = [p for p in REPO.glob('results/**/record.json') if 'superseded' not in p.parts]
    assert len(committed) >= 64
    records = [load_record(p) for p in committed]
    lacking = [f'{r.name} seed {r.seed}' for r in records
               if r.source == 'run' and not (r.dataset_fingerprint and r.git_commit and r.git_dirty is not None)]
    assert not lacking, f'records without provenance: {lacking[:5]}'
