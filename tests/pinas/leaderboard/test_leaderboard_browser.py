"""The leaderboard page in a real browser (headless Debian Chromium through Playwright), opened from disk with the
network blocked: rows, sorting, filtering, plots, and a screenshot for people to look at.

Without Chromium the test is skipped, except in CI (``CI`` set), where it fails: tools/setup_browser.sh installs it.
"""
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from leaderboard_helpers import ARCHS, BOOTSTRAP, study_dirs

from pinas.leaderboard import browser
from pinas.leaderboard.build import HTML, SCREENSHOT, build, write
from pinas.leaderboard.correlation import Settings, read_score_table

ARTIFACTS_ENV = 'PINAS_TEST_ARTIFACTS'  # where the screenshot goes (default: the test's tmp dir)


def in_ci() -> bool:
    return os.environ.get('CI', '').strip().lower() not in ('', '0', 'false', 'no')


@pytest.fixture(scope='module')
def view(tmp_path_factory):
    """The page of the test study (plus the paper records and a SPOS scores table) open in Chromium, with what it
    requested."""
    problem = browser.missing()
    if problem:
        if in_ci():
            pytest.fail(f'the browser test must run in CI: {problem}')
        pytest.skip(problem)
    root = tmp_path_factory.mktemp('leaderboard_page')
    table = root / 'spos_ranked.json'
    table.write_text(json.dumps([dict(arch=arch, score=60.0 + (i * 3) % 8) for i, arch in enumerate(ARCHS)]))
    leaderboard = build(study_dirs(root), Settings(resamples=BOOTSTRAP), [read_score_table('spos', 'top1', table)])
    write(leaderboard, root / 'out')
    requested = []
    with browser.offline_page(root / 'out' / HTML) as (page, outside):
        page.on('request', lambda request: requested.append(request.url))
        yield SimpleNamespace(page=page, leaderboard=leaderboard, outside=outside, requested=requested, root=root)


def column(page, table, index):
    """The data-value of column ``index`` in the visible rows of ``table``, top to bottom."""
    return table.locator('tbody tr:not([hidden])').evaluate_all(
        f'rows => rows.map(r => r.cells[{index}].getAttribute("data-value"))')


@pytest.mark.slow
def test_page_loads_offline_with_every_row(view):
    page, leaderboard = view.page, view.leaderboard
    assert view.outside == [] and all(url.startswith(browser.LOCAL_SCHEMES) for url in view.requested)
    tables = page.locator('table.leaderboard')
    assert tables.count() == len(leaderboard.boards)
    for i, board in enumerate(leaderboard.boards):
        names = tables.nth(i).locator('tbody tr').evaluate_all('rows => rows.map(r => r.cells[1].textContent)')
        assert names == [row.first.name for row in board.rows]
    total = sum(len(b.rows) for b in leaderboard.boards)
    assert page.locator('#count').text_content() == f'{total} of {total} rows'
    assert page.locator('table.leaderboard tr.paper').count() == sum(r.is_paper for b in leaderboard.boards
                                                                      for r in b.rows)


@pytest.mark.slow
def test_clicking_a_header_sorts_the_table(view):
    page, leaderboard = view.page, view.leaderboard
    index = next(i for i, b in enumerate(leaderboard.boards) if b.task.name == 'instance_segmentation')
    table = page.locator('table.leaderboard').nth(index)
    header = table.locator('thead th', has_text='mask AP')
    metric = header.evaluate('th => th.cellIndex')
    header.click()
    assert header.get_attribute('aria-sort') == 'ascending'
    values = [float(v) for v in column(page, table, metric)]
    assert values == sorted(values) and len(values) == len(leaderboard.boards[index].rows)
    header.click()
    assert header.get_attribute('aria-sort') == 'descending'
    assert [float(v) for v in column(page, table, metric)] == sorted(values, reverse=True)
    name = table.locator('thead th', has_text='name')
    name.click()
    names = column(page, table, 1)
    assert names == sorted(names, key=str.lower)


@pytest.mark.slow
def test_the_filter_narrows_the_rows(view):
    page, leaderboard = view.page, view.leaderboard
    visible = page.locator('table.leaderboard tbody tr:not([hidden])')
    total = visible.count()
    page.fill('#filter', ARCHS[5])
    expected = sum(row.first.arch == ARCHS[5] for b in leaderboard.boards for row in b.rows)
    assert 0 < visible.count() == expected < total
    assert page.locator('#count').text_content() == f'{expected} of {total} rows'
    page.fill('#filter', f'paper {ARCHS[5]}')   # every word must match
    assert visible.count() == 0
    page.fill('#filter', '')
    assert visible.count() == total


@pytest.mark.slow
def test_every_plot_renders_and_a_screenshot_is_saved(view):
    page, leaderboard = view.page, view.leaderboard
    plots = page.locator('svg.plot')
    assert plots.count() == len(leaderboard.plots) > 0
    table_plots = [p for p in leaderboard.plots if 'Scores from ' in p.caption]
    assert len(table_plots) == 3 and all(page.locator(f'svg#{p.id}').count() == 1 for p in table_plots)
    for i in range(plots.count()):
        plot = plots.nth(i)
        box = plot.bounding_box()
        assert box and box['width'] > 0 and box['height'] > 0
        assert plot.locator('circle.point').count() == int(plot.get_attribute('data-points')) > 0
    out = Path(os.environ.get(ARTIFACTS_ENV) or view.root)
    out.mkdir(parents=True, exist_ok=True)
    png = out / SCREENSHOT
    page.screenshot(path=str(png), full_page=True)
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    print(f'leaderboard screenshot: {png}')
