"""Does a supernet's ranking predict transfer? Every method x budget and every zero-cost baseline ranked against two
ground truths of the same architectures: the classification one the supernets are tuned for, and a transfer one
(each architecture pretrained stand-alone, then fine-tuned on a detection or segmentation task).

Pi-NAS (Peng et al., ICCV 2021, arXiv:2108.10079) claims that its unsupervised supernet finds architectures that
transfer better than supervised search does. Stated as a ranking question: when the target changes from
classification to transfer, does Pi-NAS's Kendall tau lose less (or gain more) than SPOS's and CEPT's at equal
compute? The summary answers with paired statistics on one set of bootstrap draws
(:class:`~pinas.ranking.paired.SeededRanking`, architectures resampled jointly for both references, supernet seeds
within each method):

* each row's tau against each reference, with the references' seed-to-seed tau and noise ceilings beside them;
* the cross-task tau between the references themselves (as TransNAS-Bench-101, Duan et al., CVPR 2021, reports
  across its tasks): if the tasks agree almost perfectly, no score can rank one better than the other;
* each row's change (transfer minus classification), paired;
* for every two methods at one budget, the difference of their changes. Both face the same two references, so
  the references' own noise cancels out of it: this is the test of the claim.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Mapping, Sequence

from ..ranking.metrics import MIN_CORRELATION_ITEMS, RankingInputError, ranking_evidence
from ..ranking.paired import TAU, SeededRanking
from .study import row_label, run_units


@dataclass(frozen=True)
class Reference:
    """One ground truth: its name in the report, where it was read, ``{arch: value}`` (the mean of its seeds) and
    its ceilings (:func:`~pinas.studies.study.truth_ceilings`; None for a table without seed columns)."""

    name: str
    path: str
    values: Mapping[str, float]
    ceilings: dict | None = None


def common_archs(references: Sequence[Reference], archs: Sequence[str]) -> list[str]:
    """The architectures of ``archs`` that every reference measured, refused below a correlation's minimum."""
    common = sorted(a for a in archs if all(a in r.values for r in references))
    if len(common) < MIN_CORRELATION_ITEMS:
        names = ', '.join(f'{r.name} ({r.path})' for r in references)
        raise RankingInputError(f'{names} share {len(common)} of the {len(archs)} architectures reported on; a '
                                f'correlation needs {MIN_CORRELATION_ITEMS}: measure more of them')
    return common


def reference_summary(runs: Mapping[float, Mapping[str, Sequence[Mapping]]], references: Sequence[Reference],
                      baselines: Mapping[str, Mapping[str, float]], archs: Sequence[str],
                      methods: Sequence[str] | None = None) -> dict:
    """The comparison of the module docstring, JSON-able: ``references[0]`` is the base (classification), every
    other one is compared with it. ``runs``: ``{budget: {method: [run record of each supernet seed]}}`` (each with
    ``scores``); ``baselines``: ``{name: {arch: score}}``; ``archs``: those reported on (the study's split), cut to
    the ones every reference measured. What :func:`~pinas.ranking.report.format_reference_section` renders."""
    if len(references) < 2:
        raise RankingInputError('a cross-reference summary needs a base ground truth and at least one other')
    archs = common_archs(references, archs)
    methods = list(methods or dict.fromkeys(m for r in runs.values() for m in r))
    rows = {row_label(m, b): [{a: r['scores'][a] for a in archs} for r in by_method[m]]
            for b, by_method in sorted(runs.items()) for m in methods if m in by_method}
    rows.update({name: [{a: values[a] for a in archs}] for name, values in baselines.items()})
    rankings = {ref.name: SeededRanking(rows, {a: ref.values[a] for a in archs}) for ref in references}
    base, others = references[0], references[1:]
    base_ranking = rankings[base.name]

    summary_rows = {}
    for b, by_method in sorted(runs.items()):
        for m in methods:
            if m in by_method:
                summary_rows[row_label(m, b)] = dict(kind='method', method=m, budget=b,
                                                     units=run_units(by_method[m][0]))
    for name in baselines:
        summary_rows[name] = dict(kind='baseline', method=name, budget=None, units=0)
    for label, row in summary_rows.items():
        row['tau'] = {ref.name: rankings[ref.name].estimate(label, TAU).as_dict() for ref in references}
        row['change'] = {ref.name: rankings[ref.name].across(base_ranking, label).as_dict() for ref in others}

    shifts = []
    for ref in others:
        for b, by_method in sorted(runs.items()):
            present = [m for m in methods if m in by_method]
            for a, c in combinations(present, 2):
                d = rankings[ref.name].shift_difference(base_ranking, row_label(a, b), row_label(c, b)).as_dict()
                shifts.append(dict(d, reference=ref.name))

    cross = {}
    for ref in others:
        evidence = ranking_evidence([base.values[a] for a in archs], [ref.values[a] for a in archs], topk=())
        tau = next(m for m in evidence.metrics if m.name == TAU)
        cross[ref.name] = dict(tau.as_dict(), p_value=None if evidence.permutation is None else
                               evidence.permutation.as_dict()['p_value'])
    return dict(num_archs=len(archs), archs=archs, bootstrapped=base_ranking.bootstrapped, base=base.name,
                references={r.name: dict(path=r.path, ceilings=r.ceilings) for r in references},
                cross_task=cross, rows=summary_rows, shifts=shifts)


__all__ = ['Reference', 'common_archs', 'reference_summary']
