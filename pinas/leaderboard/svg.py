"""Scatter plots as hand-written SVG: the page must open offline with no script library, and the same data must
give the same bytes (coordinates are printed with fixed decimals)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Optional, Sequence

WIDTH, HEIGHT = 520, 330
LEFT, RIGHT, TOP, BOTTOM = 62, 140, 30, 46   # margins; the right one holds the legend
TICKS = 5                                    # about this many ticks per axis
NICE_STEPS = (1, 2, 5, 10)                   # tick steps are one of these times a power of ten
EDGE_PAD = 0.04                              # of the data range, kept free on each side of the points
FLAT_PAD = 0.05                              # a range of one value is widened by this fraction of it (or 1)
POINT_RADIUS = 4.5
LEGEND_LINE = 18
COORD_DECIMALS = 2
# Okabe-Ito: distinguishable with colour-blindness
PALETTE = ('#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442')


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    series: str            # the legend entry (colour)
    label: str             # the tooltip
    y_err: Optional[float] = None
    hollow: bool = False   # a paper row: marked, not filled


def nice_ticks(low: float, high: float) -> tuple[list[float], int]:
    """Round tick values covering [low, high] with a margin, and the decimals their labels need."""
    pad = (high - low) * EDGE_PAD if high > low else abs(low) * FLAT_PAD or 1.0
    low, high = low - pad, high + pad
    raw = (high - low) / TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in NICE_STEPS if m * magnitude >= raw)
    decimals = max(0, -math.floor(math.log10(step)))
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, decimals) for i in range(first, last + 1)], decimals


def _c(value: float) -> str:
    return f'{value:.{COORD_DECIMALS}f}'


def scatter(points: Sequence[Point], title: str, xlabel: str, ylabel: str, plot_id: str,
            all_series: Sequence[str] = ()) -> str:
    """An SVG scatter of ``points`` (vertical bars: ± ``y_err``). A series takes the colour of its place in
    ``all_series`` (so it keeps its colour on every plot of a page), else of its place among the points' series."""
    if not points:
        raise ValueError('a scatter needs at least one point')
    xs = [p.x for p in points]
    ys = [v for p in points for v in ((p.y - p.y_err, p.y + p.y_err) if p.y_err else (p.y,))]
    xticks, xdec = nice_ticks(min(xs), max(xs))
    yticks, ydec = nice_ticks(min(ys), max(ys))
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP

    def px(x):
        return x0 + (x - xticks[0]) / (xticks[-1] - xticks[0]) * (x1 - x0)

    def py(y):
        return y0 + (y - yticks[0]) / (yticks[-1] - yticks[0]) * (y1 - y0)

    series = sorted({p.series for p in points})
    order = list(all_series) or series
    colour = {name: PALETTE[order.index(name) % len(PALETTE)] for name in series}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" id="{escape(plot_id)}" width="{WIDTH}" '
           f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
           f'font-family="sans-serif" font-size="11" data-points="{len(points)}">',
           f'<text x="{_c(WIDTH / 2)}" y="16" text-anchor="middle" font-size="12" font-weight="bold">'
           f'{escape(title)}</text>',
           f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="none" stroke="#999"/>']
    for tick in xticks:
        x = _c(px(tick))
        out.append(f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y0}" stroke="#eee"/>'
                   f'<text x="{x}" y="{y0 + 14}" text-anchor="middle">{tick:.{xdec}f}</text>')
    for tick in yticks:
        y = _c(py(tick))
        out.append(f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#eee"/>'
                   f'<text x="{x0 - 5}" y="{y}" text-anchor="end" dominant-baseline="middle">{tick:.{ydec}f}</text>')
    out.append(f'<text x="{_c((x0 + x1) / 2)}" y="{HEIGHT - 8}" text-anchor="middle">{escape(xlabel)}</text>')
    out.append(f'<text transform="translate(14 {_c((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">'
               f'{escape(ylabel)}</text>')
    for p in sorted(points, key=lambda p: (p.series, p.x, p.y, p.label)):
        cx, cy, fill = _c(px(p.x)), _c(py(p.y)), colour[p.series]
        if p.y_err:
            out.append(f'<line x1="{cx}" y1="{_c(py(p.y - p.y_err))}" x2="{cx}" y2="{_c(py(p.y + p.y_err))}" '
                       f'stroke="{fill}"/>')
        out.append(f'<circle class="point" cx="{cx}" cy="{cy}" r="{POINT_RADIUS}" stroke="{fill}" '
                   f'stroke-width="1.5" fill="{"white" if p.hollow else fill}"><title>{escape(p.label)}</title>'
                   '</circle>')
    for i, name in enumerate(series):
        y = y1 + 8 + i * LEGEND_LINE
        hollow = all(p.hollow for p in points if p.series == name)
        out.append(f'<circle cx="{x1 + 16}" cy="{y}" r="{POINT_RADIUS}" stroke="{colour[name]}" stroke-width="1.5" '
                   f'fill="{"white" if hollow else colour[name]}"/>'
                   f'<text x="{x1 + 26}" y="{y}" dominant-baseline="middle">{escape(name)}</text>')
    out.append('</svg>')
    return '\n'.join(out)
