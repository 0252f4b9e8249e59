"""Every study number the README and the docs state is generated. Each block between ``<!-- generated: PATH -->``
and ``<!-- end generated -->`` is the committed rendering PATH, and that rendering is what its committed report.json
renders to today; each block between ``<!-- excerpt: PATH -->`` and ``<!-- end excerpt -->`` holds only lines of
such a rendering. So a number can change only by changing the report, and no comparison is stated without the
paired interval the rendering puts beside it."""
import json
import re
from pathlib import Path

import pytest

from pinas.ranking.report import format_seeded_study
from pinas.studies.ground_truth import format_card

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r'<!-- generated: (?P<path>\S+) -->\n(?P<text>.*?)<!-- end generated -->', re.DOTALL)
LEADERBOARD = 'results/leaderboard/leaderboard.md'
EXCERPT = re.compile(r'<!-- excerpt: (?P<path>\S+) -->\n(?P<text>.*?)<!-- end excerpt -->', re.DOTALL)


def markdown_files() -> list[Path]:
    """README.md and every page of docs/ (not the built site)."""
    docs = REPO / 'docs'
    return [REPO / 'README.md'] + sorted(p for p in docs.rglob('*.md') if '_build' not in p.relative_to(docs).parts)


def _blocks(pattern):
    found = []
    for md in markdown_files():
        for m in pattern.finditer(md.read_text()):
            found.append((md.relative_to(REPO).as_posix(), m['path'], m['text']))
    return found


BLOCKS = _blocks(BLOCK)
EXCERPTS = _blocks(EXCERPT)


def _check_rendering(source: str, path: str) -> str:
    """A study's ``study.md`` (rendered from the ``report.json`` beside it) or a ground truth's card ``<table>.md``
    (rendered from ``<table>.json`` and ``<table>.meta.json``), or the leaderboard (its records')."""
    rendered = REPO / path
    assert rendered.is_file(), f'{path} named in {source} does not exist'
    text = rendered.read_text()
    if path == LEADERBOARD:  # rebuilt byte-identical from its records by tests/pinas/leaderboard/
        return text
    meta = rendered.with_suffix('.meta.json')
    if meta.is_file():
        summary = dict(json.loads(meta.read_text()), rows=json.loads(rendered.with_suffix('.json').read_text()))
        assert format_card(summary) == text, \
            f'{path} is not what {rendered.with_suffix(".json")} and its meta render to: rerun tools/make_ground_truth.py'
        return text
    report = json.loads((rendered.parent / 'report.json').read_text())
    assert format_seeded_study(report) == text, \
        f'{path} is not what {rendered.parent / "report.json"} renders to: rerun the study\'s report command'
    return text


def test_the_docs_have_generated_study_blocks():
    assert BLOCKS, 'no markdown file holds a <!-- generated: PATH --> block'
    assert EXCERPTS, 'README.md states results without a <!-- excerpt: PATH --> block'


@pytest.mark.parametrize('source, path, text', BLOCKS, ids=[f'{s}:{p}' for s, p, _ in BLOCKS])
def test_a_block_is_its_committed_report_rendered(source, path, text):
    rendered = _check_rendering(source, path)
    assert text == rendered, f'{source} differs from {path}: paste the file between the markers'


@pytest.mark.parametrize('source, path, text', EXCERPTS, ids=[f'{s}:{p}' for s, p, _ in EXCERPTS])
def test_an_excerpt_holds_only_lines_of_its_committed_rendering(source, path, text):
    lines = set(_check_rendering(source, path).split('\n'))
    foreign = [line for line in text.split('\n') if line.strip() and line not in lines]
    assert not foreign, f'{source}: lines of the excerpt that are not in {path}: {foreign[:3]}'
