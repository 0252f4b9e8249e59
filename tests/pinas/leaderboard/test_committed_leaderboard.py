"""The leaderboard committed under results/leaderboard/ is what its committed records give: rebuilt with the
command in docs/studies.md, every text output is byte-identical (so no number in it was typed by hand, and a
record added without rebuilding the leaderboard fails here)."""

from leaderboard_helpers import REPO

from pinas.leaderboard.build import CORRELATIONS, CSV, MARKDOWN
from pinas.leaderboard.record import load_record
from tools import leaderboard as tool

RESULTS = REPO / 'results' / 'leaderboard'
SCORES = 'results/leaderboard/transfer_study/scores'
STUDY = 'results/ranking/track1'
RECORDS = ['results/leaderboard/paper', 'results/leaderboard/transfer_study',
           'results/ground_truth/track1_transfer_records']
# The command in docs/studies.md, "Transfer study on the embedded default" (without --screenshot), where
# $S and $K stand for SCORES and STUDY.
SCORE_SPECS = [f'pinas:knn={SCORES}/pinas_track1.ranked.json', f'spos:top1={SCORES}/spos_resnest.ranked.json',
               f'track1-spos-x1:top1={STUDY}/spos_scores.json', f'track1-cept-x1:top1={STUDY}/cept_scores.json',
               f'track1-pinas-x1:knn={STUDY}/pinas_scores.json',
               f'track1-pinas-same-width-x1:knn={STUDY}/pinas_same_neck_width_scores.json']
ARGS = [*RECORDS, *(a for spec in SCORE_SPECS for a in ('--scores', spec)), '--baselines', 'params', 'flops']


def test_committed_leaderboard_is_rebuilt_byte_identical_from_its_records(tmp_path, monkeypatch, capsys):
    docs = ' '.join((REPO / 'docs' / 'studies.md').read_text().replace('\\\n', ' ').split())
    command = ' '.join(ARGS).replace(f'{SCORES}/', '$S/').replace(f'{STUDY}/', '$K/').replace(
        ' '.join(RECORDS), ' '.join(RECORDS) + ' --out results/leaderboard')
    assert command in docs, f'docs/studies.md does not give the leaderboard command {command}'
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
