"""The leaderboard as one self-contained HTML page: sortable, filterable tables and inline SVG plots.

The page loads nothing (no CDN, no font, no image file): it must open from disk offline, and a leaderboard that
works only online is one a reviewer cannot check. Sorting and filtering are a few lines of hand-written script;
the plots are drawn in Python (:mod:`.svg`), so they need no script at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence

from .correlation import Study
from .record import METRICS, Record
from .render import (CORRELATION_INTRO, NO_STUDY, SCORE_DECIMALS, SIZE_DECIMALS, STAT_DECIMALS, Cell, board_table,
                     ceiling_text, correlation_table, noise_ceiling_text, number, result_text, stat_text,
                     summary_line, tau_text, topk_names)
from .svg import Point, scatter
from .table import Board, Row, citations

PAPER_SERIES = 'paper'


@dataclass(frozen=True)
class Plot:
    id: str
    board: str       # the slug of the board it belongs to
    svg: str
    caption: str


def _row_label(row: Row) -> str:
    first = row.first
    return (f'{first.name} {first.arch} ({first.source}, {row.method}): {METRICS[row.task.primary]} '
            f'{stat_text(row, row.task.primary)}')


def series_of(row: Row) -> str:
    """A plot's legend entry for ``row``: its method, or 'paper'."""
    return PAPER_SERIES if row.is_paper else row.method


def flops_plot(board: Board, all_series: Sequence[str]) -> Plot | None:
    """Primary metric vs GMACs of every row that records its GMACs (paper rows hollow); None if no row does."""
    rows = [row for row in board.rows if row.first.flops_G is not None]
    if not rows:
        return None
    points = [Point(row.first.flops_G, row.primary.mean, series_of(row),
                    f'{_row_label(row)}, {number(row.first.flops_G, SIZE_DECIMALS)} GMACs',
                    row.primary.std, row.is_paper) for row in rows]
    plot_id = f'flops_{board.slug}'
    title = f'{board.title}: {METRICS[board.task.primary]} vs GMACs'
    missing = len(board.rows) - len(rows)
    caption = f'{len(rows)} rows; bars: ± std over seeds; hollow: paper rows.'
    if missing:
        caption += f' {missing} row(s) without GMACs in their records are not shown.'
    return Plot(plot_id, board.slug, scatter(points, title, 'GMACs (backbone)', METRICS[board.task.primary],
                                             plot_id, all_series), caption)


def score_plot(study: Study, all_series: Sequence[str]) -> Plot:
    """Downstream primary metric vs search score of one study, its statistics (and its scores table, if the scores
    come from one) in the caption."""
    metric = METRICS[study.board.task.primary]
    points = [Point(score, row.primary.mean, study.method,
                    f'{_row_label(row)}, {study.score_name or "score"} {number(score, SCORE_DECIMALS)}',
                    row.primary.std) for row, score in zip(study.rows, study.scores)]
    plot_id = f'score_{study.slug}'
    title = f'{study.board.title}: {metric} vs {study.method} {study.score_name or "score"}'
    source = f'Scores from {study.scores_file}. ' if study.scores_file else ''
    if study.skipped:
        caption = f'{source}No statistics: {study.skipped}.'
    else:
        parts = [f'Kendall tau-b {tau_text(study)}', f'Spearman {result_text(study.metric("spearman"))}']
        parts += [f'{name} {result_text(study.metric(name))}' for name in topk_names([study])]
        if study.ceiling:
            parts.append(f'seed-to-seed tau (reproducibility) {ceiling_text(study)}; noise ceiling of the seed '
                         f'mean {noise_ceiling_text(study)}; tau / noise ceiling '
                         f'{number(study.tau_over_noise_ceiling, STAT_DECIMALS)}')
        caption = f'{source}{len(study.rows)} architectures, config {study.config}. ' + '; '.join(parts) + '.'
    return Plot(plot_id, study.board.slug,
                scatter(points, title, f'search score ({study.score_name or "score"})', metric, plot_id, all_series),
                caption)


def plots(boards: Sequence[Board], found: Sequence[Study]) -> list[Plot]:
    """Every plot, in board order: the GMACs plot, then the board's studies (but those without a single
    architecture, which only the correlation table lists); a method has one colour on all."""
    all_series = sorted({series_of(row) for board in boards for row in board.rows} | {s.method for s in found})
    out = []
    for board in boards:
        flops = flops_plot(board, all_series)
        out += ([flops] if flops else []) + [score_plot(s, all_series) for s in found
                                             if s.board is board and s.rows]
    return out


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; white-space: nowrap; }
th button { all: unset; cursor: pointer; font-weight: bold; }
th[aria-sort=ascending] button::after { content: " \\25B2"; }
th[aria-sort=descending] button::after { content: " \\25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.paper { font-style: italic; background: #f6f6f6; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } figcaption { max-width: 520px; font-size: 12px; color: #444; }
#filter { width: 24em; }
"""

# Sort on a header click (numbers by data-value, empty cells last either way), filter on every word typed.
SCRIPT = """
(function () {
  'use strict';
  function key(row, index, numeric) {
    var raw = row.cells[index].getAttribute('data-value');
    if (raw === null || raw === '') { return null; }
    return numeric ? parseFloat(raw) : raw.toLowerCase();
  }
  function sortBy(table, index) {
    var headers = table.tHead.rows[0].cells, header = headers[index];
    var numeric = header.getAttribute('data-type') === 'number';
    var ascending = header.getAttribute('aria-sort') !== 'ascending';
    for (var i = 0; i < headers.length; i++) { headers[i].removeAttribute('aria-sort'); }
    header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, index, numeric), y = key(b, index, numeric);
      if (x === null || y === null) { return (x === null) - (y === null); }
      var order = x < y ? -1 : (x > y ? 1 : 0);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll('table.leaderboard').forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.addEventListener('click', function () { sortBy(table, index); });
    });
  });
  var filter = document.getElementById('filter'), count = document.getElementById('count');
  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0, total = 0;
    document.querySelectorAll('table.leaderboard tbody tr').forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !match; total += 1; shown += match ? 1 : 0;
    });
    count.textContent = shown + ' of ' + total + ' rows';
  }
  filter.addEventListener('input', applyFilter);
  applyFilter();
}());
"""


def _table(header: Sequence[str], numeric: Sequence[bool], rows, row_classes: Sequence[str], css: str) -> list[str]:
    """A table; one of class ``leaderboard`` gets sort buttons in its header (the script binds them)."""
    button = '<button type="button">{}</button>' if css == 'leaderboard' else '{}'
    out = [f'<table class="{css}"><thead><tr>']
    out += [f'<th data-type="{"number" if num else "text"}">{button.format(escape(name))}</th>'
            for name, num in zip(header, numeric)]
    out.append('</tr></thead><tbody>')
    for cells, row_class in zip(rows, row_classes):
        out.append(f'<tr class="{row_class}">' if row_class else '<tr>')
        for cell, num in zip(cells, numeric):
            value = ('' if cell.value is None else repr(float(cell.value))) if num else cell.text
            out.append(f'<td{" class=num" if num else ""} data-value="{escape(value)}">{escape(cell.text)}</td>')
        out.append('</tr>')
    out.append('</tbody></table>')
    return out


def page(records: Sequence[Record], boards: Sequence[Board], found: Sequence[Study],
         all_plots: Sequence[Plot]) -> str:
    """The whole page as one string (no timestamp: the same records give the same bytes)."""
    refs = citations(boards)
    out = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<title>pinas leaderboard</title>', f'<style>{STYLE}</style></head><body>',
           '<h1>pinas leaderboard</h1>', f'<p>{escape(summary_line(records))}</p>',
           '<p><label for="filter">Filter rows: </label><input id="filter" type="search" '
           'placeholder="words in any column: arch, name, method, source ..."> <span id="count"></span></p>',
           '<nav><ul>'] + [f'<li><a href="#{b.slug}">{escape(b.title)}</a></li>' for b in boards] + [
           '<li><a href="#correlations">Search score vs downstream metric</a></li></ul></nav>']
    for board in boards:
        header, numeric, rows = board_table(board, refs)
        out += [f'<section class="board" id="{board.slug}">', f'<h2>{escape(board.title)}</h2>']
        out += _table(header, numeric, rows, ['paper' if r.is_paper else '' for r in board.rows],
                      'leaderboard')
        figures = [p for p in all_plots if p.board == board.slug]
        if figures:
            out.append('<div class="plots">')
            out += [f'<figure>{p.svg}<figcaption>{escape(p.caption)}</figcaption></figure>' for p in figures]
            out.append('</div>')
        out.append('</section>')
    out += ['<section id="correlations"><h2>Search score vs downstream metric</h2>',
            f'<p>{escape(CORRELATION_INTRO)}</p>']
    if found:
        header, rows = correlation_table(found)
        out += _table(header, [False] * len(header), [[Cell(c) for c in r] for r in rows], [''] * len(rows),
                      'correlations')
    else:
        out.append(f'<p>{escape(NO_STUDY)}</p>')
    out.append('</section>')
    if refs:
        out += ['<section id="references"><h2>References</h2><ol>'] + [
            f'<li>{escape(ref)}</li>' for ref in refs] + ['</ol></section>']
    out += [f'<script>{SCRIPT}</script>', '</body></html>', '']
    return '\n'.join(out)

