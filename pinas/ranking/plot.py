"""Scatter plot of proxy score against ground truth, titled with the ranking metrics; cost curves of a ranking
study (ranking quality against training compute, :func:`plot_cost_curves`).

Uses matplotlib's object API with the Agg canvas directly, so it works on headless machines and never changes
the process-wide backend of a caller that has its own plots open.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from .metrics import MetricResult

FIGSIZE = (5.5, 5.0)
DPI = 120
MARKER_SIZE = 12
ALPHA = 0.6
TITLE_METRICS = ('kendall_tau_b', 'spearman', 'pearson')
SHORT_NAMES = {'kendall_tau_b': 'Kendall τ-b', 'spearman': 'Spearman ρ', 'pearson': 'Pearson r'}


def plot_ranking(scores: Sequence[float], truth: Sequence[float], metrics: Sequence[MetricResult], path,
                 xlabel: str = 'proxy score', ylabel: str = 'ground truth', title: str | None = None) -> Path:
    """Write the scatter to ``path`` (format from its suffix, e.g. .png or .pdf) and return the path."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.scatter(scores, truth, s=MARKER_SIZE, alpha=ALPHA)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    heading = metric_title(metrics)
    axes.set_title(f'{title}\n{heading}' if title else heading, fontsize='medium')
    return _save(figure, path)


def metric_title(metrics: Sequence[MetricResult]) -> str:
    """``n=100  Kendall τ-b 0.612 [0.55, 0.67]  ...`` for the correlation metrics present."""
    by_name = {m.name: m for m in metrics}
    parts = [f'n={metrics[0].n}'] if metrics else []
    for name in TITLE_METRICS:
        if name in by_name:
            m = by_name[name]
            ci = '' if math.isnan(m.ci_low) else f' [{m.ci_low:.2f}, {m.ci_high:.2f}]'
            parts.append(f'{SHORT_NAMES[name]} {m.value:.3f}{ci}')
    return '  '.join(parts[:2]) + ('\n' + '  '.join(parts[2:]) if len(parts) > 2 else '')


CURVE_FIGSIZE = (8.0, 5.0)
BASELINE_COLOR = '0.45'
DODGE = 0.03  # log2 units between methods at the same compute, so that their error bars stay apart
TICK_GAP = 0.15  # log2 units: closer point positions share one tick
LABEL_GAP = 0.045  # fraction of the y range between two line labels


def plot_cost_curves(curves: Mapping[str, Sequence[Sequence[float]]], path,
                     baselines: Mapping[str, float] | None = None, ceilings: Mapping[str, float] | None = None,
                     max_baselines: int | None = 5,
                     xlabel: str = 'training compute (network passes per training image, log2 scale)',
                     ylabel: str = 'Kendall τ-b against ground truth', title: str | None = None) -> Path:
    """Ranking quality against training compute, written to ``path`` (format from its suffix).

    Args:
        curves: ``{method: [(passes per image, value, ci_low, ci_high), ...]}``: one line per method with the
            interval as error bars (NaN bounds: none), x on a log2 scale with a tick at each point's compute; the
            methods are drawn a little apart sideways (``DODGE``) so that bars at equal compute stay readable.
        baselines: ``{name: value}`` of the zero-cost baselines (no training): horizontal dashed lines, labelled
            in the right margin; the ``max_baselines`` highest are drawn (None: all), NaN ones never.
        ceilings: ``{label: value}`` of the ground truth (its seed-to-seed tau, the noise ceiling of its seeds'
            mean): dotted lines.
    """
    figure = Figure(figsize=CURVE_FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    drawn_curves = {name: sorted(tuple(float(v) for v in p) for p in points) for name, points in curves.items()
                    if len(points)}
    for i, (name, points) in enumerate(drawn_curves.items()):
        x, y, low, high = zip(*points)
        shift = 2 ** (DODGE * (i - (len(drawn_curves) - 1) / 2))
        below = [0.0 if math.isnan(lo) else max(0.0, v - lo) for v, lo in zip(y, low)]
        above = [0.0 if math.isnan(hi) else max(0.0, hi - v) for v, hi in zip(y, high)]
        axes.errorbar([v * shift for v in x], y, yerr=[below, above], marker='o', capsize=3, linewidth=1.5,
                      label=name)
    axes.set_xscale('log', base=2)
    ticks = _spread_ticks(sorted({p[0] for points in drawn_curves.values() for p in points}))
    if ticks:
        axes.set_xticks(ticks)
        axes.xaxis.set_minor_locator(NullLocator())
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f'{v:g}'))
    else:
        axes.xaxis.set_major_locator(LogLocator(base=2))
    finite = sorted(((n, float(v)) for n, v in (baselines or {}).items() if not math.isnan(float(v))),
                    key=lambda item: -item[1])
    shown = finite[:max_baselines]
    lines = [(f'{name} {value:+.2f}', value, dict(linestyle='--', linewidth=1, color=BASELINE_COLOR))
             for name, value in shown]
    for label, value in (ceilings or {}).items():
        if value is not None and not math.isnan(value):
            lines.append((f'{label} {value:+.2f}', value, dict(linestyle=':', linewidth=1.5, color='black')))
    for _, value, style in lines:
        axes.axhline(value, **style)
    _label_lines(axes, [(text, value, style['color']) for text, value, style in lines])
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    if shown:
        note = 'zero-cost baselines' + (f' ({len(shown)} best of {len(finite)})' if len(shown) < len(finite) else '')
        axes.plot([], [], linestyle='--', color=BASELINE_COLOR, label=note)
    if drawn_curves or shown:
        axes.legend(fontsize='small', loc='best')
    if title:
        axes.set_title(title, fontsize='medium')
    return _save(figure, path)


def _spread_ticks(values: Sequence[float]) -> list[float]:
    """``values`` without those closer than ``TICK_GAP`` (log2) to the previous kept one."""
    kept: list[float] = []
    for v in values:
        if v > 0 and (not kept or math.log2(v / kept[-1]) >= TICK_GAP):
            kept.append(v)
    return kept


def _label_lines(axes, labels: Sequence[tuple[str, float, str]]) -> None:
    """Write each horizontal line's label in the right margin at its height, pushed apart where lines are close
    (highest first, each at least ``LABEL_GAP`` of the y range below the one above)."""
    if not labels:
        return
    low, high = axes.get_ylim()
    gap = LABEL_GAP * (high - low)
    previous = math.inf
    for text, value, color in sorted(labels, key=lambda item: -item[1]):
        y = min(value, previous - gap)
        previous = y
        axes.annotate(text, xy=(1.0, value), xycoords=('axes fraction', 'data'), xytext=(1.02, y),
                      textcoords=('axes fraction', 'data'), va='center', ha='left', fontsize='x-small', color=color,
                      annotation_clip=False,
                      arrowprops=dict(arrowstyle='-', color=color, linewidth=0.5) if y != value else None)


PAIR_FIGSIZE = (6.5, 6.0)


def plot_reference_pair(points: Mapping[str, Sequence[float]], path, xlabel: str, ylabel: str,
                        ceilings: Mapping[str, tuple[float | None, float | None]] | None = None,
                        baselines: Sequence[str] = (), title: str | None = None) -> Path:
    """Each row's tau against two references: x against the first (classification), y against the second
    (transfer), with their intervals as error bars, written to ``path``. A point above the diagonal ranks the
    second reference better than the first.

    Args:
        points: ``{label: (x, x_low, x_high, y, y_low, y_high)}`` (NaN bounds: no bar).
        ceilings: ``{label: (x value, y value)}``: dotted lines at each reference's ceiling (None: no line).
        baselines: labels drawn as grey squares (zero-cost baselines), the others as coloured circles.
    """
    figure = Figure(figsize=PAIR_FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    values, placed = [], {}
    for label, (x, xlo, xhi, y, ylo, yhi) in points.items():
        if any(v is None or math.isnan(v) for v in (x, y)):
            continue
        values += [x, y]
        bars = dict(xerr=_bar(x, xlo, xhi), yerr=_bar(y, ylo, yhi))
        style = (dict(marker='s', color=BASELINE_COLOR, markersize=4, elinewidth=0.6) if label in baselines else
                 dict(marker='o', markersize=6, elinewidth=1.0))
        axes.errorbar([x], [y], capsize=2, linestyle='none', **bars, **style)
        placed[label] = (x, y)
    low = min([0.0, *values]) - 0.05
    high = max([0.0, *values]) + 0.05
    for label, (cx, cy) in (ceilings or {}).items():
        if cx is not None and not math.isnan(cx):
            axes.axvline(cx, linestyle=':', color='black', linewidth=1)
            high = max(high, cx + 0.05)
        if cy is not None and not math.isnan(cy):
            axes.axhline(cy, linestyle=':', color='black', linewidth=1)
            high = max(high, cy + 0.05)
        axes.plot([], [], linestyle=':', color='black', label=label)
    axes.plot([low, high], [low, high], linestyle='--', color='0.6', linewidth=1, label='equal tau')
    axes.set_xlim(low, high)
    axes.set_ylim(low, high)
    axes.set_aspect('equal')
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize='x-small', loc='upper left')
    if title:
        axes.set_title(title, fontsize='medium')
    _label_points(axes, placed)
    return _save(figure, path)


POINT_LABEL_SIZE = 6.5  # points; a label's width is estimated at 0.6 of this per character, its height at 1.3
POINT_LABEL_OFFSETS = [(1, 1), (1, -1), (-1, 1), (-1, -1), (0, 1.6), (0, -1.6)]  # directions tried, in order
POINT_LABEL_RINGS = (4, 10, 18, 28, 40, 55)  # distances tried (points), nearest first; beyond the first, a leader line


def _label_points(axes, points: Mapping[str, tuple[float, float]]) -> None:
    """Label each point where its text overlaps no other label or point and no other point is nearer to it (greedy:
    points in order of x, positions nearest first; then a free place, then the place that overlaps least), in
    display coordinates once the axes' limits and aspect are final; a label set apart gets a leader line."""
    axes.apply_aspect()
    scale = axes.figure.dpi / 72  # points to pixels
    width = lambda text: 0.6 * POINT_LABEL_SIZE * len(text) * scale  # noqa: E731
    height = 1.3 * POINT_LABEL_SIZE * scale
    pixels = {label: axes.transData.transform(xy) for label, xy in points.items()}
    marker = 4 * scale
    taken = [(px - marker, py - marker, px + marker, py + marker) for px, py in pixels.values()]

    def overlaps(box):
        return sum(not (box[2] <= t[0] or box[0] >= t[2] or box[3] <= t[1] or box[1] >= t[3]) for t in taken)

    def nearest_is(box, own):
        """No other point is nearer to the text than its own (a reader pairs a label with the nearest point)."""
        def near(p):  # squared distance from the point to the box
            return max(box[0] - p[0], 0, p[0] - box[2]) ** 2 + max(box[1] - p[1], 0, p[1] - box[3]) ** 2
        return all(near(p) > near(own) for p in pixels.values() if not (p == own).all())

    for label in sorted(points, key=lambda item: points[item]):
        px, py = pixels[label]
        w = width(label)
        choices = []
        for ring in POINT_LABEL_RINGS:
            for dx, dy in POINT_LABEL_OFFSETS:
                x0 = px + dx * ring * scale - (w if dx < 0 else w / 2 if dx == 0 else 0)
                y0 = py + dy * ring * scale - (height if dy < 0 else 0)
                choices.append(((x0, y0, x0 + w, y0 + height), ring))
        free = [c for c in choices if not overlaps(c[0])]
        unambiguous = [c for c in free if nearest_is(c[0], pixels[label])]
        box, ring = (unambiguous or free or [min(choices, key=lambda c: overlaps(c[0]))])[0]
        taken.append(box)
        text_at = axes.transData.inverted().transform((box[0], box[1]))
        axes.annotate(label, points[label], xytext=text_at, textcoords='data', fontsize=POINT_LABEL_SIZE,
                      ha='left', va='bottom', annotation_clip=False,
                      arrowprops=dict(arrowstyle='-', color='0.5', linewidth=0.5) if ring > POINT_LABEL_RINGS[0]
                      else None)


def _bar(value: float, low: float, high: float) -> list[list[float]]:
    """An error bar's ``[[below], [above]]`` from an interval (a NaN bound: no bar on that side)."""
    return [[0.0 if math.isnan(low) else max(0.0, value - low)], [0.0 if math.isnan(high) else max(0.0, high - value)]]


def _save(figure: Figure, path) -> Path:
    """Lay ``figure`` out and write it to ``path`` (format from its suffix), creating its folder."""
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path
