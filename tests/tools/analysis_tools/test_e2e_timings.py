"""tools/analysis_tools/e2e.py: the main job's per-stage wall-time table, with a verdict against the 10-minute budget
(issue 14), from a finished demo's timings.json (running the demo itself is the demo test's job)."""
import json

from tools.analysis_tools import e2e


def e2e_main():
    return e2e.main


def test_table_of_a_finished_demo_with_shares_and_the_verdict(tmp_path, capsys):
    stages = [dict(stage='train', seconds=300.0), dict(stage='search', seconds=200.0),
              dict(stage='transfer', seconds=150.0)]
    timings = tmp_path / 'timings.json'
    timings.write_text(json.dumps(dict(stages=stages)))
    assert e2e_main()(['--timings', str(timings)]) == 0
    out = capsys.readouterr().out
    assert 'train' in out and '46.2%' in out  # 300 of 650 s
    assert 'verdict: 650 s, OVER the 600 s budget' in out
    assert e2e_main()(['--timings', str(timings), '--budget-s', '700']) == 0
    assert 'within the 700 s budget' in capsys.readouterr().out
