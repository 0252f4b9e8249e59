"""Plots people compare: a crowded scatter still says which label is which point."""
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pinas.ranking.plot import _label_points


def test_crowded_point_labels_do_not_overlap_and_a_lone_point_keeps_its_label_beside_it():
    figure = Figure(figsize=(6.5, 6.0), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    points = {f'method {i} x{2 ** (i % 3)}': (0.6 + 0.03 * (i % 4), 0.55 + 0.03 * (i // 4)) for i in range(12)}
    points['alone'] = (-0.5, -0.5)
    axes.plot(*zip(*points.values()), 'o')
    axes.set_xlim(-0.7, 1.0)
    axes.set_ylim(-0.7, 1.0)
    axes.set_aspect('equal')
    _label_points(axes, points)
    renderer = figure.canvas.get_renderer()
    texts = [t for t in axes.texts if isinstance(t, matplotlib.text.Annotation)]
    assert sorted(t.get_text() for t in texts) == sorted(points)
    leaders = {t.get_text(): t.arrow_patch for t in texts}
    # each text's own box, as a plain text drawn where the label is (an annotation's box includes its leader line)
    boxes = {t.get_text(): axes.text(*t.xyann, t.get_text(), fontsize=t.get_fontsize(), ha='left', va='bottom')
             .get_window_extent(renderer) for t in texts}
    overlapping = [(a, b) for a in boxes for b in boxes if a < b and boxes[a].overlaps(boxes[b])]
    assert not overlapping
    far = {label for label, leader in leaders.items() if leader is not None}  # set apart from their points
    assert 'alone' not in far and far != set(points)
