"""Every study number the README states is generated: each block between ``<!-- generated: PATH -->`` and
``<!-- end generated -->`` is the committed rendering PATH, and that rendering is what its committed report.json
renders to today. So a number can change only by changing the report, and no comparison is stated without the
paired interval the rendering puts beside it."""
import json
import re
from pathlib import Path

import pytest

from pinas.ranking.report import format_seeded_study

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r'<!-- generated: (?P<path>\S+) -->\n(?P<text>.*?)<!-- end generated -->', re.DOTALL)
BLOCKS = [(m['path'], m['text']) for m in BLOCK.finditer((REPO / 'README.md').read_text())]


def test_the_readme_has_generated_study_blocks():
    assert BLOCKS, 'README.md holds no <!-- generated: PATH --> block'


@pytest.mark.parametrize('path, text', BLOCKS, ids=[p for p, _ in BLOCKS])
def test_a_readme_block_is_its_committed_report_rendered(path, text):
    rendered = REPO / path
    assert rendered.is_file(), f'{path} named in README.md does not exist'
    assert text == rendered.read_text(), f'README.md differs from {path}: paste the file between the markers'
    report = json.loads((rendered.parent / 'report.json').read_text())
    assert format_seeded_study(report) == rendered.read_text(), \
        f'{path} is not what {rendered.parent / "report.json"} renders to: rerun the study\'s report command'
