"""A ranking study end to end (what ``tools/ranking_study.py`` runs): plan every method's runs at equal compute,
train and score the missing ones, compare them with the ground truth and the zero-cost baselines, and write the
report (``report.json``, ``study.md``) and its plots.

The pieces (study configs, plans, run files, metrics) are :mod:`pinas.studies.study`; this module joins them and
decides what goes where on disk. Paths given relative are relative to the working directory, as in mmdet's tools.
"""
from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..ranking.metrics import MIN_CORRELATION_ITEMS, RankingInputError
from ..ranking.paired import PARTIAL
from ..ranking.plot import plot_cost_curves, plot_ranking, plot_reference_pair
from ..ranking.report import format_seeded_study, format_study, nan_to_none
from ..ranking.tables import (Table, TableError, ranked_rows, read_code_list, read_table, table_space,
                              write_ranked_table)
from ..utils.cli import UsageError
from ..utils.files import atomic_write_bytes, atomic_write_json
from ..utils.paths import stored_dir_path
from .ground_truth import seed_to_seed_tau
from .study import (STUDY_MARKDOWN, TAU, completed_budgets, count_passes, evaluate_runs, format_plan, judge_health,
                    load_study, parse_budget, per_stage, plan_study, resolve_study_config, run_name, run_plan,
                    run_units, seed_records, seeded_curves, seeded_summary, split_archs, stage_settings_digest,
                    truth_ceilings)
from .transfer import Reference, common_archs, reference_summary

GROUND_TRUTH_Y = 'stand-alone top-1 (%), mean of seeds'
DEFAULT_WORK_DIR = 'work_dirs/benchmark_ranking'
DEFAULT_OUT_DIR = 'results/ranking'


def read_baselines(directory, names: Iterable[str] | None = None, space=None) -> dict[str, Table]:
    """The score tables tools/zero_cost.py wrote to ``directory`` (``<proxy>.json``), for ``names`` (default: every
    registered proxy) that are there, keyed by ``space``'s codes where given."""
    from .zero_cost import list_proxies
    directory = Path(directory)
    return {name: read_table(directory / f'{name}.json', space=space) for name in (names or list_proxies())
            if (directory / f'{name}.json').is_file()}


def ceiling(ground_truth: Path, rows, archs: list[str], whole: bool, space=None) -> float | None:
    """Mean seed-to-seed Kendall tau of ``archs`` from the per-seed columns of the table's ``rows``
    (:func:`json_rows`: tools/make_ground_truth.py's ``top1_seed<s>``); for the ``whole`` table, else the one
    recorded beside a table without them; None where neither is there (a half of a table without seed columns has
    no ceiling of its own)."""
    tau = seed_to_seed_tau(rows, archs, space)
    meta = ground_truth.with_suffix('.meta.json')
    if tau is not None or not whole or not meta.is_file():
        return tau
    taus = list(json.loads(meta.read_text())['seed_to_seed_kendall_tau'].values())
    return sum(taus) / len(taus)


def _interval(ci) -> str:
    """`` [low, high]``, or nothing where no interval was computed (fewer than 20 architectures)."""
    low, high = ci
    return '' if low is None or low != low else f' [{low:.3f}, {high:.3f}]'


def json_rows(path: Path):
    """A JSON table's rows (None for a CSV table, which has no per-seed columns)."""
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def select_methods(plans: dict, study, names: Sequence[str] | None) -> dict:
    """``plans`` with only the methods ``names`` (all for None)."""
    if not names:
        return plans
    known = [m.name for m in study.methods]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f'--methods: {", ".join(unknown)} not in the study {study.name} ({", ".join(known)})')
    return {budget: {m: run for m, run in runs.items() if m in names} for budget, runs in plans.items()}


def read_arch_list(path: Path, space=None) -> list[str]:
    """``--score-also``: architecture codes, one per line (:func:`~pinas.ranking.tables.read_code_list`)."""
    try:
        return read_code_list(path, space)
    except TableError as err:
        raise UsageError(f'--score-also {err}') from None


def health_of_runs(study, by_seed: Mapping) -> dict[str, dict | None]:
    """Every run's training health as its run file holds it, judged with the study's margin; None for a run
    trained before health was recorded (or of a method that logs none)."""
    out = {}
    for budget, runs in by_seed.items():
        for method, seeds in runs.items():
            for record in seeds:
                health = record.get('health')
                seed = None if record.get('seed') in (None, study.seeds[0]) else record['seed']
                out[run_name(method, budget, seed)] = None if health is None else judge_health(
                    health, study.health['min_margin'])
    return dict(sorted(out.items()))


CLASSIFICATION = 'classification'  # the name of a study's own ground truth in its transfer section


def read_transfer_tables(transfer: Mapping[str, str | Path] | None, space) -> dict[str, tuple[Path, dict]]:
    """``{name: (path, {arch: value})}`` of ``--transfer``'s tables, read (and so checked) before any training."""
    if transfer and CLASSIFICATION in transfer:
        raise UsageError(f'--transfer {CLASSIFICATION}=... names the study\'s own ground truth; name the transfer '
                         'table after its task (e.g. ade_miou=...)')
    return {name: (Path(path), read_table(path, space=space).values) for name, path in (transfer or {}).items()}


def transfer_references(truth_path: Path, truth: Mapping[str, float],
                        tables: Mapping[str, tuple[Path, dict]]) -> list[Reference]:
    """The study's ground truth first, then each transfer table."""
    return [Reference(CLASSIFICATION, str(truth_path), truth),
            *(Reference(name, str(path), values) for name, (path, values) in tables.items())]


def against_transfer(references: Sequence[Reference], common: Sequence[str], rows,
                     tables: Mapping[str, tuple[Path, dict]], by_seed, baselines: Mapping[str, Mapping[str, float]],
                     space, methods: Sequence[str]) -> dict:
    """The report's transfer section (:func:`pinas.studies.transfer.reference_summary`): the ``references``
    (:func:`transfer_references`: the study's ground truth, whose table's ``rows`` these are, then each transfer
    table) over ``common``, the architectures all of them measured (:func:`~pinas.studies.transfer.common_archs`).
    Each reference's ceilings are over those architectures."""
    table_rows = [rows, *(json_rows(path) for path, _ in tables.values())]
    references = [replace(ref, ceilings=truth_ceilings(ref_rows, common, space))
                  for ref, ref_rows in zip(references, table_rows)]
    return reference_summary(by_seed, references, baselines, common, methods)


def plot_transfer(section: Mapping, name: str, path: Path, title: str) -> Path:
    """Each row of a transfer section at (tau against classification, tau against ``name``), the ceilings dotted."""
    def bounds(entry):
        low, high = (math.nan if v is None else v for v in entry['ci'])
        return (math.nan if entry['value'] is None else entry['value']), low, high

    points = {label: (*bounds(row['tau'][CLASSIFICATION]), *bounds(row['tau'][name]))
              for label, row in section['rows'].items()}
    ceiling = {ref: (c or {}).get('noise_ceiling', {}).get('value') for ref, c in
               ((r, section['references'][r]['ceilings']) for r in (CLASSIFICATION, name))}
    return plot_reference_pair(points, path, xlabel='Kendall τ-b against classification (stand-alone top-1)',
                               ylabel=f'Kendall τ-b against {name}',
                               ceilings={'noise ceilings': (ceiling[CLASSIFICATION], ceiling[name])},
                               baselines=[label for label, row in section['rows'].items()
                                          if row['kind'] == 'baseline'], title=title)


def run_study(config: str | Path, ground_truth: str | Path, budgets: Sequence[Any] | None = None,
              methods: Sequence[str] | None = None, epochs: Sequence[int] | None = None,
              work_dir: str | Path = DEFAULT_WORK_DIR, out_dir: str | Path = DEFAULT_OUT_DIR,
              cfg_options: Mapping[str, Any] | None = None, zero_cost: str | Path | None = None,
              score_also: str | Path | None = None, split: str = 'all', seed: int | None = None,
              train_only: bool = False, plan: bool = False, transfer: Mapping[str, str | Path] | None = None,
              log: Callable[[str], Any] = print) -> dict | None:
    """Run the study ``config`` (a file or a study's name) against the ground-truth table ``ground_truth``; the
    arguments are the options of ``tools/ranking_study.py`` (its ``--help`` says what each does). Returns the report
    written to ``<out_dir>/<study>[/<split>]/report.json``, or None with ``plan`` (the plan is logged) or
    ``train_only`` (the runs' files are written, no report)."""
    config = resolve_study_config(config)
    study = load_study(config)
    budgets = [parse_budget(b, '--budget') for b in budgets] if budgets else list(study.budgets)
    options = dict(cfg_options or {})
    if seed is not None and not train_only and not plan:
        raise UsageError('--seed trains one seed\'s runs: pass --train-only too (a report covers every seed whose '
                         'runs are there)')
    passes, settings = per_stage(count_passes, options), per_stage(stage_settings_digest, options)

    plans = select_methods(plan_study(study, budgets, epochs, passes, seed=seed, settings=settings), study, methods)
    if plan:
        log(f'{study.name} ({config}): network passes per training image at equal compute')
        log(format_plan(plans))
        return None
    truth_path = Path(ground_truth)
    space = table_space(truth_path)  # None for a table without a meta file: codes compared as Arch values
    truth = read_table(truth_path, space=space).values
    archs = split_archs(truth, **study.split)[split]
    transfer_tables = read_transfer_tables(transfer, space)
    if len(archs) < MIN_CORRELATION_ITEMS:
        where = str(truth_path) if split == 'all' else f'the {split} half of {truth_path}'
        raise RankingInputError(f'{where} holds {len(archs)} architectures; a correlation needs '
                                f'{MIN_CORRELATION_ITEMS}: '
                                f'{"use --split all or " if split != "all" else ""}a larger table')
    transfer_refs = transfer_references(truth_path, truth, transfer_tables) if transfer_tables else []
    # too few shared architectures: refused now, not after the scoring
    transfer_archs = common_archs(transfer_refs, archs) if transfer_refs and not train_only else []
    also = read_arch_list(Path(score_also), space) if score_also else []
    # The config's directory is relative to the working directory (the report names it relative to itself).
    zero_cost_dir = Path(zero_cost) if zero_cost else Path.cwd() / study.zero_cost
    baselines = {name: table.values for name, table in read_baselines(zero_cost_dir, space=space).items()}
    for name, values in baselines.items():
        missing = sorted(set(archs) - set(values))
        if missing:
            raise UsageError(f'{zero_cost_dir / name}.json lacks {len(missing)} of the {len(archs)} architectures '
                             f'(e.g. {missing[0]}): make the baselines of this table with tools/zero_cost.py SPACE '
                             f'{score_also or truth_path} --out {zero_cost_dir}')
    if baselines and study.control and study.control not in baselines:
        raise UsageError(f'the study\'s control baseline {study.control!r} has no table in {zero_cost_dir}: make it '
                         f'with tools/zero_cost.py SPACE {score_also or truth_path} --proxies {study.control} '
                         f'--out {zero_cost_dir}')
    scored = sorted(set(truth) | set(also))
    out_dir = Path(out_dir) / study.name
    records = run_plan(plans, scored, out_dir, Path(work_dir) / study.name, options,
                       min_margin=study.health.get('min_margin'))
    if train_only:
        log(f'trained: {", ".join(run.name for runs in plans.values() for run in runs.values())}; run files in '
            f'{out_dir}')
        return None
    # Every other budget of the config whose runs are all there joins the report (and the curves).
    others = select_methods(plan_study(study, [b for b in study.budgets if b not in plans], epochs, passes,
                                       settings=settings), study, methods)
    records = dict(sorted({**records, **completed_budgets(others, sorted(truth), out_dir, options)}.items()))
    report_dir = out_dir if split == 'all' else out_dir / split

    topk = [k for k in study.topk if isinstance(k, float) or k <= len(archs)]  # a small half has no top-10
    if len(topk) < len(study.topk):
        log(f'top-k sizes {[k for k in study.topk if k not in topk]} left out: only {len(archs)} architectures')
    result = evaluate_runs(records, {a: truth[a] for a in archs}, baselines, topk, study.reference.name,
                           study.control)
    rows = json_rows(truth_path)  # read once: both references come from its seed columns
    seed_tau = ceiling(truth_path, rows, archs, whole=split == 'all', space=space)
    ceilings = truth_ceilings(rows, archs, space)
    noise_ceiling = ceilings['noise_ceiling']['value'] if ceilings else None
    by_seed = seed_records(study, records, scored, out_dir, options, epochs, passes, settings)
    seeded = seeded_summary(by_seed, {a: truth[a] for a in archs}, baselines, study.control,
                            [m.name for m in study.methods],
                            against=study.reference.name if study.pairs == 'reference' else None)
    labels = {m.name: m.score_label for m in study.methods}
    for budget, runs in by_seed.items():
        for method, seeds in runs.items():
            for record in seeds[1:]:  # the other seeds' tables (the first's are written below, with its plot)
                write_ranked_table(ranked_rows(record['scores']),
                                   out_dir / f'{run_name(method, budget, record["seed"])}_scores.json')
    for budget, runs in records.items():
        for method, record in runs.items():
            name = plans.get(budget, others.get(budget))[method].name
            write_ranked_table(ranked_rows(record['scores']), out_dir / f'{name}_scores.json')
            plot_ranking([record['scores'][a] for a in archs], [truth[a] for a in archs],
                         result['metrics'][budget][method],
                         report_dir / f'{name}.png', xlabel=labels[method], ylabel=GROUND_TRUTH_Y,
                         title=f'{method}, epochs {record["epochs"]} ({record["units"]} passes per image), '
                               f'{study.name} space')
    # paths the report holds are relative to it, so a copied results dir stays whole; the ground truth is named as
    # given (cwd-relative, the rendering shows it)
    report = dict(config=stored_dir_path(config, report_dir), study=study.name, reference=study.reference.name,
                  ground_truth=str(truth_path), archs=split, split=dict(study.split), num_archs=len(archs),
                  seed_to_seed_tau=seed_tau, ceilings=ceilings, seeded=seeded,
                  budgets=result['budgets'],
                  cost_curves={m: [dict(units=u, value=v, ci=[lo, hi]) for u, v, lo, hi in points]
                               for m, points in seeded_curves(seeded).items()})
    if baselines:
        report['zero_cost'] = dict(dir=stored_dir_path(zero_cost_dir, report_dir), baselines=result['zero_cost'])
    if study.health:
        report['health'] = dict(min_margin=study.health['min_margin'], runs=health_of_runs(study, by_seed))
    if transfer:
        report['transfer'] = against_transfer(transfer_refs, transfer_archs, rows, transfer_tables, by_seed,
                                              baselines, space, [m.name for m in study.methods])
    report = nan_to_none(report)
    atomic_write_json(report_dir / 'report.json', report)
    atomic_write_bytes(report_dir / STUDY_MARKDOWN, format_seeded_study(report).encode())
    baseline_taus = {name: row['metrics'][TAU]['value'] for name, row in result['zero_cost'].items()}
    half = '' if split == 'all' else f' of the {split} half'
    lines = {'seed-to-seed tau': seed_tau, 'noise ceiling': noise_ceiling}
    plot_cost_curves(seeded_curves(seeded), report_dir / 'cost_curves.png', baseline_taus, lines,
                     title=f'{study.name}: ranking vs compute ({len(archs)} archs{half})\nmean over supernet seeds, '
                           '95% CI over architectures and seeds')

    partial_plot = report_dir / 'cost_curves_partial.png' if study.control and baselines else None
    if partial_plot:  # the same curves, ranking beyond what the control baseline ranks
        partial_taus = {name: row['partial_kendall_tau_b']['value'] for name, row in result['zero_cost'].items()
                        if 'partial_kendall_tau_b' in row}
        plot_cost_curves(seeded_curves(seeded, PARTIAL), partial_plot,
                         partial_taus, ylabel=f'partial Kendall τ-b given {study.control}',
                         title=f'{study.name}: ranking beyond {study.control} vs compute ({len(archs)} archs{half})\n'
                               'mean over supernet seeds, 95% CI over architectures and seeds')
    log(format_seeded_study(report))
    if not baselines:
        log(f'no zero-cost baselines in {zero_cost_dir}: make them with tools/zero_cost.py SPACE '
            f'{truth_path} --out {zero_cost_dir}')
    for budget, runs in records.items():
        entry = result['budgets'][f'{budget:g}']
        log(f'\nbudget x{budget:g}: {entry["reference_units"]} network passes per training image '
            f'(those of {study.reference.name}; every baseline the nearest whole epoch)')
        if budget in result['rows']:
            log(format_study(result['rows'][budget], noise_ceiling,
                             {m: run_units(r) for m, r in runs.items()}))
        width = max(8, *(len(m) + 2 for m in entry['methods']))
        log(f'{"method":<{width}}{"epochs":>12}{"passes":>8}{"measured":>9}{"train s":>9}{"score s":>9}'
            '   metrics (95% bootstrap CI)')
        for method, row in entry['methods'].items():
            text = '; '.join(f'{name} {m["value"]:.3f}{_interval(m["ci"])}' for name, m in row['metrics'].items())
            epochs_text = '+'.join(str(e) for e in row['epochs'])
            log(f'{method:<{width}}{epochs_text:>12}{row["units"]:>8}{row.get("units_measured", "-"):>9}'
                f'{row["train_seconds"]:>9}{row["score_seconds"]:>9}'
                f'   {text}')
    for name in transfer or {}:
        section = report['transfer']
        plot_transfer(section, name, report_dir / f'transfer_vs_{name}.png',
                      title=f'{study.name}: ranking against classification and {name} '
                            f'({section["num_archs"]} archs{half})\nmean over supernet seeds, ' +
                            ('95% CI over architectures and seeds' if section['bootstrapped'] else
                             'no interval below 20 architectures'))
    extra_plot = f' and {partial_plot}' if partial_plot else ''
    log(f'\ncost curves: {report_dir / "cost_curves.png"}{extra_plot}; report: {report_dir / "report.json"}, '
        f'rendered: {report_dir / STUDY_MARKDOWN}')
    return report


__all__ = ['run_study', 'read_baselines', 'ceiling', 'json_rows', 'select_methods', 'read_arch_list',
           'GROUND_TRUTH_Y', 'DEFAULT_WORK_DIR', 'DEFAULT_OUT_DIR']
