"""Scatter plot of proxy score against ground truth, titled with the ranking metrics.

Uses matplotlib's object API with the Agg canvas directly, so it works on headless machines and never changes
the process-wide backend of a caller that has its own plots open.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


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
