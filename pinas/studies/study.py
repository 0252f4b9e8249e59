"""Ranking studies: supernet methods ranking the architectures of a ground-truth table, compared at equal compute
and at several budgets (the library behind ``tools/ranking_study.py``).

A study config (``configs/ranking/methods_*.py``, one ``study`` dict, read by :func:`load_study`) names a reference
method (its stages, config names under configs/search/ trained one after the other, and its epochs per stage),
baseline methods (one stage each), the budgets (multiples of the reference epochs), each method's score label, the
zero-cost baseline tables and the top-k sizes.

Compute is counted in network passes per training image: the sum over a method's stages of the passes per batch
its algorithm reports (:attr:`~pinas.algorithms.SupernetAlgorithm.passes_per_batch` of the model built from the
stage's config with the study's overrides, :func:`count_passes`; forward 1, forward + backward 3) times the
stage's epochs. At budget K the reference trains K times its epochs per stage, and every baseline the whole number
of epochs whose passes come closest to the reference's (:func:`plan_study`). No count is written in a study
config, so a changed search config (``model.num_paths``, ...) changes the plan instead of silently breaking equal
compute.

:func:`run_plan` trains and scores each planned run that has no usable run file (``<method>[_x<K>]_run.json``,
:func:`stale_reason`), so a study resumes where it stopped and a rerun against an updated ground truth only
recomputes the metrics (:func:`evaluate_runs`).
"""
from __future__ import annotations

import json
import math
import time
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..utils.cli import UsageError
from ..utils.files import atomic_write_json
from ..utils.paths import stored_dir_path
from ..utils.provenance import code_state
from ..utils.reuse import compare
from ..ranking.tables import space_arch, table_code

# Configs are found under ``root``, by default the working directory (the checkout when tools run), as mmdet's tools
# find theirs: an installed package holds no configs.
SEARCH_CONFIGS = Path('configs/search')
STUDY_CONFIGS = Path('configs/ranking')
STUDY_PREFIX = 'methods_'  # configs/ranking/methods_<study>.py; the study's name alone finds it
TAU = 'kendall_tau_b'
_STUDY_KEYS = {'name', 'reference', 'baselines', 'budgets', 'zero_cost', 'topk', 'split', 'control', 'seeds',
               'seeded_budgets', 'health', 'pairs'}
# What a contrastive run logs that shows its embedding's health (pinas.algorithms.PiNAS.similarity_stats)
HEALTH_KEYS = ('pos_sim', 'neg_sim', 'key_rank')
PAIRS = ('all', 'reference')  # the study key `pairs`
_METHOD_KEYS = {'name', 'stages', 'score_label', 'epochs', 'cfg_options'}
ARCH_SETS = ('all', 'tune', 'report')  # which architectures of the table a report covers (see split_archs)


# --- the study -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Method:
    """A supernet method: its stages (configs/search/<stage>.py, each starting from the previous one's work dir),
    trained with its own ``cfg_options`` on top of the study's (so that a variant, e.g. Pi-NAS at another
    temperature, is a line of the study config, not a new search config)."""

    name: str
    stages: tuple[str, ...]
    score_label: str = 'supernet score'
    cfg_options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Study:
    """A study config, checked (see the module doc)."""

    name: str
    reference: Method
    epochs: tuple[int, ...]  # of each reference stage at budget 1
    baselines: tuple[Method, ...]
    budgets: tuple[float, ...] = (1,)
    zero_cost: str = ''  # tools/zero_cost.py's tables (relative to the repository)
    topk: tuple = (5, 10)
    split: Mapping[str, Any] = field(default_factory=lambda: dict(tune=0.5, seed=0))  # see split_archs
    control: str | None = None  # a zero-cost baseline every row gets a partial tau given (e.g. 'flops')
    # Supernet training seeds (randomness.seed): the first is the search configs' own, whose runs are named without
    # a seed; the budgets in seeded_budgets train every seed, the others the first only.
    seeds: tuple[int, ...] = (0,)
    seeded_budgets: tuple[float, ...] = ()
    # A run whose pos_sim - neg_sim over its last epoch is below min_margin is marked collapsed (its InfoNCE no
    # longer tells positives from negatives); empty: no run is judged.
    health: Mapping[str, Any] = field(default_factory=dict)
    # Which methods at one budget the report compares pairwise: 'all' (every two), or 'reference' (each against the
    # reference only: an ablation study of n variants reads n - 1 differences, not n(n - 1)/2).
    pairs: str = 'all'

    def seeds_of(self, budget: float) -> tuple[int, ...]:
        """The supernet seeds a budget trains."""
        return self.seeds if budget in self.seeded_budgets else self.seeds[:1]

    @property
    def methods(self) -> tuple[Method, ...]:
        return (self.reference, *self.baselines)


def _root(root: Path | None) -> Path:
    """Where configs/ is: ``root``, or the working directory (absolute, so paths built on it read the same from
    any later directory)."""
    return Path.cwd() if root is None else Path(root)


def study_names(root: Path | None = None) -> list[str]:
    """The studies under configs/ranking/ (``methods_<name>.py``)."""
    return sorted(p.stem[len(STUDY_PREFIX):] for p in (_root(root) / STUDY_CONFIGS).glob(f'{STUDY_PREFIX}*.py'))


def resolve_study_config(spec: str | Path, root: Path | None = None) -> Path:
    """A study config's path from a path or a study's name (``track1``: configs/ranking/methods_track1.py)."""
    path = Path(spec)
    if path.is_file():
        return path
    named = _root(root) / STUDY_CONFIGS / f'{STUDY_PREFIX}{spec}.py'
    if path.suffix != '.py' and named.is_file():
        return named
    raise UsageError(f'no study config {str(spec)!r}: pass a file such as configs/ranking/methods_track1.py or the '
                     f'name of one under {STUDY_CONFIGS}/ ({", ".join(study_names(root)) or "none there"})')


def load_study(path: str | Path) -> Study:
    """The ``study`` dict of a config file, checked."""
    from mmengine.config import Config
    try:
        cfg = Config.fromfile(str(path))
    except Exception as err:  # a syntax error, a missing _base_, ...: the config's own code failed
        raise UsageError(f'study config {path} cannot be read: {type(err).__name__}: {err}') from None
    if not isinstance(cfg.get('study'), Mapping):
        raise UsageError(f'{path} has no `study = dict(...)`; see configs/ranking/methods_track1.py')
    return study_from_dict(cfg.study.to_dict(), source=str(path))


def study_from_dict(cfg: Mapping[str, Any], source: str = 'study') -> Study:
    """:class:`Study` from a config's ``study`` dict; a wrong entry is a :class:`UsageError` naming it."""
    cfg = dict(cfg)
    _check_keys(cfg, _STUDY_KEYS, {'name', 'reference', 'baselines'}, source)
    reference = _method(cfg['reference'], f'{source}: reference', with_epochs=True)
    epochs = cfg['reference'].get('epochs')
    if not isinstance(epochs, (list, tuple)) or len(epochs) != len(reference.stages) or not all(
            _is_int(e) and e >= 1 for e in epochs):
        raise UsageError(f'{source}: reference.epochs must give one whole number >= 1 per stage '
                         f'({len(reference.stages)}: {", ".join(reference.stages)}), got {epochs!r}')
    if not isinstance(cfg['baselines'], (list, tuple)):
        raise UsageError(f'{source}: baselines must be a list of dict(name=..., stages=[...], score_label=...)')
    baselines = tuple(_method(b, f'{source}: baselines[{i}]') for i, b in enumerate(cfg['baselines']))
    for i, method in enumerate(baselines):
        if len(method.stages) != 1:
            raise UsageError(f'{source}: baselines[{i}] ({method.name}) has {len(method.stages)} stages; a baseline '
                             'trains one stage, for as many epochs as the reference\'s passes allow')
    names = [m.name for m in (reference, *baselines)]
    if len(set(names)) != len(names):
        raise UsageError(f'{source}: method names must differ (they name the run files), got {names}')
    budgets = cfg.get('budgets', [1])
    if not isinstance(budgets, (list, tuple)) or not budgets:
        raise UsageError(f'{source}: budgets must be a non-empty list of multiples of the reference epochs, '
                         f'got {budgets!r}')
    budgets = tuple(parse_budget(b, source) for b in budgets)
    if len(set(budgets)) != len(budgets):
        raise UsageError(f'{source}: budgets repeat: {list(budgets)}')
    topk = tuple(cfg.get('topk', (5, 10)))
    split = {'tune': 0.5, 'seed': 0, **cfg.get('split', {})} if isinstance(cfg.get('split', {}), Mapping) else None
    if split is None or set(split) != {'tune', 'seed'} or not isinstance(split['tune'], (int, float)) or \
            isinstance(split['tune'], bool) or not 0 < split['tune'] < 1 or not _is_int(split['seed']):
        raise UsageError(f'{source}: split must be dict(tune=<fraction in (0, 1)>, seed=<int>), '
                         f'got {cfg.get("split")!r}')
    control = cfg.get('control')
    if control is not None and (not isinstance(control, str) or not control):
        raise UsageError(f'{source}: control must be the name of a zero-cost baseline (e.g. \'flops\') or None, '
                         f'got {control!r}')
    seeds = cfg.get('seeds', [0])
    if not isinstance(seeds, (list, tuple)) or not seeds or not all(_is_int(s) and s >= 0 for s in seeds) or \
            len(set(seeds)) != len(seeds):
        raise UsageError(f'{source}: seeds must be a non-empty list of distinct supernet seeds >= 0, the first the '
                         f'search configs\' own randomness.seed (e.g. [0, 1, 2]), got {seeds!r}')
    seeded = cfg.get('seeded_budgets', [])
    if not isinstance(seeded, (list, tuple)):
        raise UsageError(f'{source}: seeded_budgets must be a list of budgets that train every seed, got {seeded!r}')
    seeded = tuple(parse_budget(b, source) for b in seeded)
    if set(seeded) - set(budgets):
        raise UsageError(f'{source}: seeded_budgets {sorted(set(seeded) - set(budgets))} are not budgets of the '
                         f'study ({list(budgets)})')
    health = cfg.get('health', {})
    if health != {}:  # none: no run is judged
        margin = health.get('min_margin') if isinstance(health, Mapping) else None
        if not isinstance(health, Mapping) or set(health) != {'min_margin'} or isinstance(margin, bool) or not isinstance(margin, (int, float)) or \
                not 0 <= margin <= 2:
            raise UsageError(f'{source}: health must be dict(min_margin=<pos_sim - neg_sim below which a run counts '
                             f'as collapsed, in [0, 2]>), got {health!r}')
    pairs = cfg.get('pairs', 'all')
    if pairs not in PAIRS:
        raise UsageError(f'{source}: pairs must be one of {list(PAIRS)} (every two methods, or each against the '
                         f'reference), got {pairs!r}')
    return Study(str(cfg['name']), reference, tuple(int(e) for e in epochs), baselines, budgets,
                 str(cfg.get('zero_cost', '')), topk, split, control, tuple(seeds), seeded, dict(health), pairs)


def split_archs(archs: Iterable[str], tune: float = 0.5, seed: int = 0) -> dict[str, list[str]]:
    """``{'all', 'tune', 'report'}``: the architectures, and the two held-out halves a study tunes a method's
    settings on and reports on. An architecture's half depends only on the architecture and ``seed`` (a hash of
    its numbers, :func:`~pinas.ranking.tables.table_code` without a space, so not of how a code is spelled), so it
    stays put while a ground-truth table grows, whatever order the table lists it in and however a file writes
    its code (the halves the committed studies tuned and reported on were drawn this way)."""
    archs = sorted(archs)

    def draw(code: str) -> float:
        key = table_code(code)
        return int.from_bytes(hashlib.sha256(f'{seed}:{key}'.encode()).digest()[:8], 'big') / 2 ** 64

    tuned = [a for a in archs if draw(a) < tune]
    return dict(all=archs, tune=tuned, report=[a for a in archs if draw(a) >= tune])


def parse_budget(value: Any, source: str = 'budget') -> float:
    """A budget (multiple of the reference epochs) as an int when whole (so ``2`` and ``2.0`` are one budget)."""
    try:
        budget = float(value)
    except (TypeError, ValueError):
        raise UsageError(f'{source}: a budget is a positive number (multiple of the reference epochs), '
                         f'got {value!r}') from None
    if not budget > 0 or math.isinf(budget):
        raise UsageError(f'{source}: a budget must be positive, got {value!r}')
    return int(budget) if budget.is_integer() else budget


def _method(cfg: Any, source: str, with_epochs: bool = False) -> Method:
    if not isinstance(cfg, Mapping):
        raise UsageError(f'{source} must be dict(name=..., stages=[...], score_label=...), got {cfg!r}')
    _check_keys(cfg, _METHOD_KEYS if with_epochs else _METHOD_KEYS - {'epochs'}, {'name', 'stages'}, source)
    stages = cfg['stages']
    if isinstance(stages, str) or not isinstance(stages, (list, tuple)) or not stages or not all(
            isinstance(s, str) and s for s in stages):
        raise UsageError(f'{source}: stages must be a non-empty list of config names under {SEARCH_CONFIGS}/, '
                         f'got {stages!r}')
    options = cfg.get('cfg_options', {})
    if not isinstance(options, Mapping):
        raise UsageError(f'{source}: cfg_options must be a dict of config overrides, e.g. '
                         f"{{'model.temperature': 0.5}}, got {options!r}")
    return Method(str(cfg['name']), tuple(stages), str(cfg.get('score_label', 'supernet score')), dict(options))


def _check_keys(cfg: Mapping, allowed: set, required: set, source: str) -> None:
    unknown, missing = sorted(set(cfg) - allowed), sorted(required - set(cfg))
    if unknown or missing:
        raise UsageError(f'{source}: ' + '; '.join(
            ([f'unknown keys {unknown} (allowed: {sorted(allowed)})'] if unknown else []) +
            ([f'missing keys {missing}'] if missing else [])))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- compute ---------------------------------------------------------------------------------------------------
def search_config_path(config: str, root: Path | None = None) -> Path:
    return _root(root) / SEARCH_CONFIGS / f'{config}.py'


def count_passes(config: str, cfg_options: Mapping[str, Any] | None = None,
                 root: Path | None = None) -> tuple[int, int]:
    """``(passes_per_batch, max_passes_per_batch)`` of the algorithm configs/search/<config>.py builds, with
    ``cfg_options`` as the study trains it. Building it trains nothing and loads no previous-stage checkpoint."""
    from mmengine.registry import DefaultScope

    import pinas.algorithms  # noqa: F401  (registers the models)
    from pinas.apis.runner import load_config
    from pinas.registry import MODELS
    cfg = load_config(search_config_path(config, root), cfg_options=dict(cfg_options or {}))
    model_cfg = cfg.model.copy()
    model_cfg.pop('init_from', None)
    with DefaultScope.overwrite_default_scope('pinas'):
        model = MODELS.build(model_cfg)
    return int(model.passes_per_batch), int(model.max_passes_per_batch)


def stage_settings_digest(config: str, cfg_options: Mapping[str, Any] | None = None,
                          root: Path | None = None) -> str:
    """A hash of what configs/search/<config>.py trains and scores with ``cfg_options`` (its resolved config but
    where files go, :func:`training_settings`, plus its ``search`` scorer): a run file records it, so a changed
    config (a learning rate, a scorer) makes the run stale instead of being silently reused."""
    from pinas.apis.runner import load_config
    cfg = load_config(search_config_path(config, root), cfg_options=dict(cfg_options or {}))
    settings = dict(training_settings(cfg), search=json.loads(json.dumps(cfg.get('search', {}), sort_keys=True,
                                                                          default=repr)))
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def per_stage(function: Callable[[str, Mapping], Any], study_options: Mapping[str, Any]) -> Callable:
    """``function(stage, {**study_options, **method_options})`` as ``(stage, method_options)``, computed once per
    distinct argument: how a study counts passes and digests settings (each builds or loads a config)."""
    cache: dict[str, Any] = {}

    def call(stage: str, method_options: Mapping[str, Any]):
        key = json.dumps([stage, method_options], sort_keys=True, default=str)
        if key not in cache:
            cache[key] = function(stage, {**study_options, **method_options})
        return cache[key]
    return call


@dataclass(frozen=True)
class StageRun:
    """One stage of a planned run: its config, epochs, its algorithm's passes per batch and, where the plan was
    made with the configs at hand, the digest of its settings (:func:`stage_settings_digest`)."""

    config: str
    epochs: int
    passes_per_batch: int
    max_passes_per_batch: int
    settings: str | None = None


@dataclass(frozen=True)
class PlannedRun:
    """A method at a budget: its stages with their epochs."""

    method: str
    budget: float
    stages: tuple[StageRun, ...]
    cfg_options: Mapping[str, Any] = field(default_factory=dict)  # the method's own (see Method)
    seed: int | None = None  # the supernet's randomness.seed; None: the search configs' own (the study's first)

    @property
    def name(self) -> str:
        """``<method>`` at budget 1, ``<method>_x<K>`` otherwise, ``_s<seed>`` after either for a seed other than the
        study's first: the stem of its run file, table and plot."""
        return run_name(self.method, self.budget, self.seed)

    @property
    def epochs(self) -> list[int]:
        return [s.epochs for s in self.stages]

    @property
    def units(self) -> int:
        """Network passes per training image (at least; see :attr:`units_max`)."""
        return sum(s.passes_per_batch * s.epochs for s in self.stages)

    @property
    def units_max(self) -> int:
        """The most passes per training image the run can take (above :attr:`units` for CEPT's max-recover)."""
        return sum(s.max_passes_per_batch * s.epochs for s in self.stages)

    def fields(self) -> dict:
        """What a run file records of the plan."""
        seed = {} if self.seed is None else dict(seed=self.seed)
        return dict(budget=self.budget, **seed, stages=[s.config for s in self.stages], epochs=self.epochs,
                    passes_per_batch=[s.passes_per_batch for s in self.stages], units=self.units,
                    units_max=self.units_max)

    @property
    def settings(self) -> list[str] | None:
        """The stages' settings digests; None unless the plan computed every one."""
        digests = [s.settings for s in self.stages]
        return None if None in digests else digests

    def options(self, study_options: Mapping[str, Any] | None = None) -> dict:
        """The overrides the run trains with: the study's (``--cfg-options``), then the method's, then its seed."""
        seed = {} if self.seed is None else {'randomness.seed': self.seed}
        return {**(study_options or {}), **self.cfg_options, **seed}


def run_name(method: str, budget: float, seed: int | None = None) -> str:
    name = method if budget == 1 else f'{method}_x{budget:g}'
    return name if seed is None else f'{name}_s{seed}'


def plan_study(study: Study, budgets: Iterable[float] | None = None, epochs: Sequence[int] | None = None,
               passes: Callable[[str, Mapping], tuple[int, int]] = count_passes, seed: int | None = None,
               settings: Callable[[str, Mapping], str] | None = None) -> dict[float, dict[str, PlannedRun]]:
    """``{budget: {method: run}}`` at equal compute: the reference with ``budget x epochs`` per stage (``epochs``:
    the study's unless given), each baseline with the whole number of epochs (at least 1) whose passes come closest
    to the reference's. ``passes(config, method_cfg_options)`` gives a stage's ``(passes_per_batch,
    max_passes_per_batch)``. ``seed``: the supernet seed of every run (default the study's first); a budget that
    does not train it (:meth:`Study.seeds_of`) is left out. ``settings(config, method_cfg_options)``, where given,
    gives each stage's settings digest (:func:`stage_settings_digest`), which run files are then judged by."""
    reference = study.reference
    epochs = tuple(study.epochs if epochs is None else epochs)
    if len(epochs) != len(reference.stages):
        raise UsageError(f'{reference.name} has {len(reference.stages)} stages ({", ".join(reference.stages)}); '
                         'pass one --epochs value per stage')
    counts: dict[str, tuple[int, int]] = {}

    def count(config: str, method: Method) -> tuple[int, int]:
        key = json.dumps([config, method.cfg_options], sort_keys=True, default=str)
        if key not in counts:
            counts[key] = tuple(int(n) for n in passes(config, method.cfg_options))
            if counts[key][0] < 1:
                raise UsageError(f'{config} counts {counts[key][0]} passes per batch; an algorithm trains with '
                                 'at least one')
            counts[key] += (None if settings is None else settings(config, method.cfg_options),)
        return counts[key]

    if seed is not None and seed not in study.seeds:
        raise UsageError(f'seed {seed} is not one of the study\'s supernet seeds {list(study.seeds)}')
    run_seed = None if seed in (None, study.seeds[0]) else seed
    plans = {}
    for budget in (study.budgets if budgets is None else budgets):
        budget = parse_budget(budget)
        if run_seed is not None and run_seed not in study.seeds_of(budget):
            continue
        ref = PlannedRun(reference.name, budget, tuple(
            StageRun(config, max(1, round(budget * e)), *count(config, reference))
            for config, e in zip(reference.stages, epochs)), reference.cfg_options, run_seed)
        runs = {}
        for method in study.baselines:
            config, = method.stages
            per_batch, most, digest = count(config, method)
            runs[method.name] = PlannedRun(method.name, budget, (
                StageRun(config, max(1, round(ref.units / per_batch)), per_batch, most, digest),),
                method.cfg_options, run_seed)
        plans[budget] = {**runs, reference.name: ref}
    return plans


def format_plan(plans: Mapping[float, Mapping[str, PlannedRun]]) -> str:
    """One line per method and budget: epochs per stage, passes per batch, passes per image."""
    width = max([8, *(len(m) + 2 for runs in plans.values() for m in runs)])
    lines = [f'{"budget":>6}  {"method":<{width}}{"epochs":>12}{"passes/batch":>16}{"passes/image":>14}']
    for budget, runs in plans.items():
        for run in runs.values():
            most = '' if run.units_max == run.units else f' (<= {run.units_max})'
            lines.append(f'{f"x{budget:g}":>6}  {run.method:<{width}}{"+".join(map(str, run.epochs)):>12}'
                         f'{"+".join(str(s.passes_per_batch) for s in run.stages):>16}{run.units:>14}{most}')
    return '\n'.join(lines)


# --- runs ------------------------------------------------------------------------------------------------------
def run_file(out_dir: str | Path, run: PlannedRun) -> Path:
    return Path(out_dir) / f'{run.name}_run.json'


def stale_reason(record: Mapping, run: PlannedRun, archs: Iterable[str],
                 cfg_options: Mapping[str, Any] | None = None) -> str | None:
    """Why a run file cannot stand for ``run`` (None: it can). It must score every architecture and have trained
    the planned epochs; what it records of the stages, their passes per batch and the overrides (the study's
    ``cfg_options`` and the method's) must match too (files written before these were recorded are judged by their
    epochs and scores)."""
    missing = set(archs) - set(record.get('scores', {}))
    if missing:
        return f'it scores no architecture {sorted(missing)[0]!r} (and {len(missing) - 1} more missing)'
    planned, options = run.fields(), _jsonable(run.options(cfg_options))
    current = dict(epochs=run.epochs, stages=planned['stages'], passes_per_batch=planned['passes_per_batch'],
                   cfg_options=options, **({} if run.settings is None else dict(settings_sha256=run.settings)))
    stored = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in record.items() if k in current}
    stored.setdefault('epochs', None)
    changes = compare(stored, current, optional=('stages', 'passes_per_batch', 'cfg_options', 'settings_sha256'))
    if not changes:
        return None
    key = changes[0].field.split('.')[0]  # cfg_options are compared key by key
    if key == 'epochs':
        return f'it trained epochs {record.get("epochs")}, the plan gives {run.epochs}'
    if key == 'cfg_options':
        return f'it was trained with --cfg-options {record["cfg_options"]}, not {options}'
    if key == 'settings_sha256':
        changed = [s.config for s, old in zip(run.stages, record['settings_sha256']) if s.settings != old]
        return f'the settings of {", ".join(changed) or "its stages"} changed since it was trained'
    return f'it was trained with {key} {record[key]}, the configs now give {planned[key]}'


def _judged_record(out_dir: str | Path, run: PlannedRun, archs: Sequence[str],
                   cfg_options: Mapping[str, Any] | None = None) -> tuple[dict | None, str | None]:
    """``run``'s file as it is (None if there is none) and why it cannot stand for the run (None: it can)."""
    path = run_file(out_dir, run)
    if not path.is_file():
        return None, 'no run file'
    record = json.loads(path.read_text())
    record['scores'] = keyed_like(record.get('scores', {}), archs)
    return record, stale_reason(record, run, archs, cfg_options)


def keyed_like(scores: Mapping[str, float], archs: Iterable[str]) -> dict[str, float]:
    """``scores`` with each code written as ``archs`` write the same architecture (the space's code), so that a run
    file written with another spelling of a code (before codes were the space's, Track-1's ``4-4-...-4`` was stored
    as ``44...4``) still stands for its architectures; codes of no architecture in ``archs`` are kept as they are."""
    spelled = {table_code(a): a for a in archs}
    return {spelled.get(table_code(code), code): value for code, value in scores.items()}


def usable_record(out_dir: str | Path, run: PlannedRun, archs: Sequence[str],
                  cfg_options: Mapping[str, Any] | None = None) -> tuple[dict | None, str]:
    """``(record, '')`` from ``run``'s file when it stands for the run, else ``(None, why not)``."""
    record, reason = _judged_record(out_dir, run, archs, cfg_options)
    return (None, reason) if reason else (record, '')


def run_plan(plans: Mapping[float, Mapping[str, PlannedRun]], archs: Sequence[str], out_dir: str | Path,
             work_dir: str | Path, cfg_options: Mapping[str, Any] | None = None,
             train: Callable | None = None, log: Callable[[str], Any] = print,
             min_margin: float | None = None) -> dict[float, dict[str, dict]]:
    """Every planned run's record, ``{budget: {method: record}}``: its run file's where that stands for it, else
    ``train(run, archs, work_dir/x<K>, options)`` (default :func:`train_and_score`: ``train_seconds``,
    ``score_seconds``, ``scores``, ``trained``), written as the run file before the next run starts. A run file
    that only lacks architectures (the ground truth grew) is completed: ``train`` is asked for the missing ones
    and, where it finds the run's finished checkpoints (``trained`` 0), scores only those. A reused file gets the
    plan's fields (counts, units), so the files say what the report says. A run that logged its training health
    (``health``: :func:`training_health`) is marked ``collapsed`` when its margin is below ``min_margin``."""
    train = train or train_and_score
    records: dict[float, dict[str, dict]] = {}
    for budget, runs in plans.items():
        for method, run in runs.items():
            path, options = run_file(out_dir, run), run.options(cfg_options)
            previous, reason = _judged_record(out_dir, run, archs, cfg_options)
            record = None if reason else previous
            if record is None:
                partial = previous if previous is not None and stale_reason(
                    previous, run, previous.get('scores', {}), cfg_options) is None else None
                todo = [a for a in archs if a not in partial['scores']] if partial else list(archs)
                log(f'{run.name}: {"scoring" if partial else "training"} (epochs {"+".join(map(str, run.epochs))}, '
                    f'{run.units} passes per image; {reason})')
                work = Path(work_dir) / f'x{budget:g}'
                result = train(run, todo, work, options)
                if partial and result.get('trained', 0):  # its checkpoints were gone: a new supernet scores all
                    partial, result = None, train(run, list(archs), work, options)
                if partial:
                    result = dict(result, scores={**partial['scores'], **result['scores']},
                                  score_seconds=round(partial.get('score_seconds', 0) + result['score_seconds'], 1))
                result.pop('trained', None)
                if result.get('health') and min_margin is not None:
                    result['health'] = judge_health(result['health'], min_margin)
                    if result['health']['collapsed']:
                        log(f'{run.name}: collapsed: pos_sim {result["health"]["pos_sim"]} - neg_sim '
                            f'{result["health"]["neg_sim"]} < {min_margin} over its last epoch')
                digests = {} if run.settings is None else dict(settings_sha256=run.settings)
                record = {**run.fields(), 'cfg_options': _jsonable(options), **digests, **result, **code_state()}
                atomic_write_json(path, record)
            else:
                updated = {**record, **run.fields()}
                if updated != json.loads(path.read_text()):  # new plan fields, or codes now spelled as the space's
                    atomic_write_json(path, updated)
                record = updated
            records.setdefault(budget, {})[method] = record
    return records


def completed_budgets(plans: Mapping[float, Mapping[str, PlannedRun]], archs: Sequence[str], out_dir: str | Path,
                      cfg_options: Mapping[str, Any] | None = None) -> dict[float, dict[str, dict]]:
    """The records of the budgets whose every run has a usable run file (with the plan's fields), training
    nothing: what a report adds beside the budgets it was asked to run."""
    done = {}
    for budget, runs in plans.items():
        found = {method: usable_record(out_dir, run, archs, cfg_options)[0] for method, run in runs.items()}
        if all(record is not None for record in found.values()):
            done[budget] = {method: {**found[method], **run.fields()} for method, run in runs.items()}
    return done


def seed_records(study: Study, records: Mapping[float, Mapping[str, dict]], archs: Sequence[str],
                 out_dir: str | Path, cfg_options: Mapping[str, Any] | None = None,
                 epochs: Sequence[int] | None = None, passes: Callable = count_passes,
                 settings: Callable | None = None) -> dict[float, dict[str, list[dict]]]:
    """``{budget: {method: [record of each supernet seed]}}``: the study's first seed's ``records``, then those of
    its other seeds at that budget (:meth:`Study.seeds_of`) whose run files stand for them (seeds still training
    are left out; each record says its ``seed``)."""
    out: dict[float, dict[str, list[dict]]] = {}
    for budget, runs in records.items():
        for method, record in runs.items():
            found = [dict(record, seed=study.seeds[0])]
            for seed in study.seeds_of(budget)[1:]:
                run = plan_study(study, [budget], epochs, passes, seed=seed, settings=settings)[budget][method]
                other = usable_record(out_dir, run, archs, cfg_options)[0]
                if other is not None:
                    found.append(dict(other, **run.fields()))
            out.setdefault(budget, {})[method] = found
    return out


SCORE_PROGRESS_LINES = 10  # about this many progress lines while a run scores its architectures
STUDY_MARKDOWN = 'study.md'  # beside report.json: the report rendered (format_seeded_study), included in the README
STAGE_FILE = 'study_stage.json'  # in a stage's work dir: what it trains (and, once finished, for how long)
# Entries of a search config that change how paths are scored or where files go, not the supernet it trains.
NOT_TRAINING = ('search', 'scoring_data', 'work_dir', 'launcher', 'resume', 'load_from')


# Hooks that decide only how the run's random numbers are drawn, not what it trains: a run before and after one was
# added is a draw of the same experiment, so adding one does not make finished runs stale (the run file's commit
# says which code drew them).
DRAW_ONLY_HOOKS = ('EpochSeedHook',)


def training_settings(cfg) -> dict:
    """What a stage's supernet depends on: its resolved config without :data:`NOT_TRAINING` and without the
    :data:`DRAW_ONLY_HOOKS` (JSON-able)."""
    settings = {k: v for k, v in cfg.to_dict().items() if k not in NOT_TRAINING}
    if 'custom_hooks' in settings:
        settings['custom_hooks'] = [h for h in settings['custom_hooks']
                                    if not (isinstance(h, dict) and h.get('type') in DRAW_ONLY_HOOKS)]
    return json.loads(json.dumps(settings, sort_keys=True, default=repr))


def stage_work_dir(work_dir: str | Path, config: str, settings: Mapping[str, Any]) -> Path:
    """``work_dir/<config>-<hash of the settings>``: methods whose stages train alike (a variant that only scores
    differently, e.g. with a linear probe instead of kNN) share one supernet."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]
    return Path(work_dir) / f'{config}-{digest}'


def portable_settings(settings: Mapping[str, Any], work_dir: str | Path, config: str) -> dict:
    """``settings`` (:func:`training_settings`) with the previous stage's work dir (``model.init_from``) named
    relative to this stage's (a sibling under ``work_dir``): what a stage's marker records and its dir is named by,
    the same wherever the study's work dir is, so a moved or copied one finds its finished stages."""
    init_from = settings.get('model', {}).get('init_from')
    if not init_from:
        return dict(settings)
    sibling = stored_dir_path(init_from, Path(work_dir) / config)  # ../<previous stage's dir>
    return dict(settings, model=dict(settings['model'], init_from=sibling))


def _stage_marker(folder: Path) -> dict:
    marker = folder / STAGE_FILE
    return json.loads(marker.read_text()) if marker.is_file() else {}


def find_stage(work_dir: str | Path, config: str, settings: Mapping[str, Any],
               as_given: Mapping[str, Any]) -> tuple[Path, dict, Mapping[str, Any]]:
    """``(stage work dir, what its marker holds, the settings it records)`` for ``settings``
    (:func:`portable_settings`); a stage that finished before they were portable (named and recorded with the
    previous stage's path ``as_given``) is found under its own name and keeps recording that."""
    for recorded in (settings, as_given):
        folder = stage_work_dir(work_dir, config, recorded)
        done = _stage_marker(folder)
        if done.get('settings') == recorded:
            return folder, done, recorded
    folder = stage_work_dir(work_dir, config, settings)
    return folder, _stage_marker(folder), settings


def train_and_score(run: PlannedRun, archs: Sequence[str], work_dir: str | Path,
                    cfg_options: Mapping[str, Any], log: Callable[[str], Any] = print) -> dict:
    """Train the run's stages one after the other (each from the previous one's checkpoint, a cosine schedule over
    its epochs, in :func:`stage_work_dir`) and score ``archs`` with the last stage's ``search`` scorer (precise-BN,
    then its proxy). A stage whose work dir finished with the same settings (:data:`STAGE_FILE`) is loaded instead
    of trained, and one interrupted with them resumes from its last checkpoint (its ``train_seconds`` then count
    from the resume); ``trained`` counts the stages that trained."""
    from pinas.apis import build_supernet_runner, load_config
    from pinas.apis.pipeline import finished_checkpoint
    from pinas.apis.search import build_scorer
    from pinas.engine import unwrap_model
    train_seconds, trained, previous, measured, health = 0.0, 0, None, [], None
    for stage in run.stages:
        options = {**cfg_options, 'train_cfg.max_epochs': stage.epochs}  # the cosine schedule follows max_epochs
        if previous is not None:
            options['model.init_from'] = str(previous)
        cfg = load_config(search_config_path(stage.config), cfg_options=options)
        as_given = training_settings(cfg)
        previous, done, settings = find_stage(work_dir, stage.config,
                                              portable_settings(as_given, work_dir, stage.config), as_given)
        marker = previous / STAGE_FILE
        same = done.get('settings') == settings
        checkpoint = finished_checkpoint(previous, stage.epochs) if same and 'train_seconds' in done else None
        cfg.work_dir = str(previous)
        if same and checkpoint is None:  # interrupted: resume from its last checkpoint, if it wrote one
            cfg.resume, cfg.load_from = True, None
        if checkpoint is not None:
            train_seconds += done['train_seconds']
            measured.append(done.get('passes_per_batch'))
            health = done.get('health')
            if stage is run.stages[-1]:
                runner = build_supernet_runner(cfg)
                runner.load_checkpoint(str(checkpoint))
            continue
        if not same:  # checkpoints of other settings must not be resumed from if this training is interrupted
            for stale in [*previous.glob('*.pth'), previous / 'last_checkpoint']:
                stale.unlink(missing_ok=True)
        runner = build_supernet_runner(cfg)
        atomic_write_json(marker, dict(settings=settings))
        start = time.perf_counter()
        runner.train()
        seconds = time.perf_counter() - start
        measured.append(logged_mean(runner, 'passes'))
        health = training_health(runner)
        atomic_write_json(marker, dict(settings=settings, train_seconds=round(seconds, 1),
                                       passes_per_batch=measured[-1], **({'health': health} if health else {})))
        train_seconds, trained = train_seconds + seconds, trained + 1
    model = unwrap_model(runner.model)
    model.eval()
    scorer = build_scorer(model, cfg.search)
    start = time.perf_counter()
    scores = {}
    for i, code in enumerate(archs, 1):
        scores[code] = scorer(space_arch(model.space, code))
        if i % max(1, len(archs) // SCORE_PROGRESS_LINES) == 0 or i == len(archs):
            log(f'{run.name}: scored {i}/{len(archs)} architectures ({time.perf_counter() - start:.0f} s)')
    return dict(train_seconds=round(train_seconds, 1), score_seconds=round(time.perf_counter() - start, 1),
                scores=scores, trained=trained, measured_passes_per_batch=measured,
                **({'health': health} if health else {}),
                units_measured=round(sum((m if m is not None else s.passes_per_batch) * s.epochs
                                         for m, s in zip(measured, run.stages)), 1))


def training_health(runner) -> dict | None:
    """The means over the last epoch (the last ``len(train dataloader)`` steps) of what a contrastive run logs
    about its embedding (:data:`HEALTH_KEYS`), and ``margin`` = pos_sim - neg_sim; None for a run that logs none."""
    scalars = runner.message_hub.log_scalars
    if f'train/{HEALTH_KEYS[0]}' not in scalars:
        return None
    steps = len(runner.train_loop.dataloader)
    health = {key: round(float(scalars[f'train/{key}'].mean(steps)), 4)
              for key in HEALTH_KEYS if f'train/{key}' in scalars}
    health['margin'] = round(health['pos_sim'] - health.get('neg_sim', 0.0), 4)
    return health


def judge_health(health: Mapping[str, Any], min_margin: float) -> dict:
    """``health`` with ``collapsed``: whether its margin (pos_sim - neg_sim) is below ``min_margin``."""
    return dict(health, collapsed=bool(health['margin'] < min_margin))


def logged_mean(runner, key: str) -> float | None:
    """The mean of a value the algorithm's train steps logged over every step of the training (the message hub
    keeps the whole history and restores it on resume); None where it logs no such value."""
    history = runner.message_hub.log_scalars.get(f'train/{key}')
    return None if history is None else round(float(history.mean()), 2)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


# --- metrics ---------------------------------------------------------------------------------------------------
def evaluate_runs(records: Mapping[float, Mapping[str, Mapping]], truth: Mapping[str, float],
                  baselines: Mapping[str, Mapping[str, float]], topk: Iterable = (5, 10),
                  reference: str | None = None, control: str | None = None) -> dict:
    """Per budget, every method's ranking metrics against ``truth`` (its architectures) and, with zero-cost
    ``baselines``, its margin over the best of them (and its partial tau given the ``control`` baseline); the
    baselines' own metrics once.

    Returns ``dict(budgets={'<K>': dict(reference_units, methods={method: record + metrics}), ...},
    zero_cost={name: row} or {}, rows={budget: [StudyRow]}, metrics={budget: {method: [MetricResult]}})``
    (``reference_units``: the passes per image of the ``reference`` method, default the most of any); ``rows`` is
    what :func:`~pinas.ranking.report.format_study` prints, ``metrics`` what
    :func:`~pinas.ranking.plot.plot_ranking` titles a scatter with."""
    from ..ranking.metrics import DEFAULT_BOOTSTRAP, MIN_BOOTSTRAP_ITEMS, ranking_metrics
    from ..ranking.report import compare_with_baselines
    archs = sorted(truth)
    topk = tuple(topk)
    resamples = DEFAULT_BOOTSTRAP if len(archs) >= MIN_BOOTSTRAP_ITEMS else 0  # too few for a bootstrap: no CI
    out: dict[str, Any] = dict(budgets={}, zero_cost={}, rows={}, metrics={})
    for budget, runs in records.items():
        methods = {}
        for method, record in runs.items():
            metrics = ranking_metrics([record['scores'][a] for a in archs], [truth[a] for a in archs], topk=topk,
                                      resamples=resamples)
            out['metrics'].setdefault(budget, {})[method] = metrics
            methods[method] = dict(record, metrics={m.name: m.as_dict() for m in metrics})
        if baselines:
            rows = compare_with_baselines({m: {a: r['scores'][a] for a in archs} for m, r in runs.items()},
                                          baselines, {a: truth[a] for a in archs}, topk=topk, bootstrap=resamples,
                                          control=control)
            out['rows'][budget] = rows
            out['zero_cost'] = {r.name: r.as_dict() for r in rows if r.is_baseline}
            for r in rows:
                if not r.is_baseline:
                    methods[r.name]['margin_over_best_baseline'] = dict(r.margin.as_dict(), name=r.margin.name)
                    if r.partial is not None:
                        methods[r.name]['partial_tau'] = r.as_dict()['partial_kendall_tau_b']
        reference_units = runs[reference]['units'] if reference in runs else \
            max((r['units'] for r in runs.values()), default=0)
        out['budgets'][f'{budget:g}'] = dict(reference_units=reference_units, methods=methods)
    return out


def cost_curves(budgets: Mapping[str, Mapping], metric: str = TAU) -> dict[str, list[tuple[float, float, float,
                                                                                              float]]]:
    """``{method: [(passes per image, value, ci_low, ci_high), ...]}`` of ``metric`` over the budgets of
    :func:`evaluate_runs`'s ``budgets`` (a metric, or ``partial_tau``: the partial tau given the control), ordered by
    passes (:func:`run_units`; NaN for a bound the report holds as null)."""
    curves: dict[str, list] = {}
    for entry in budgets.values():
        for method, row in entry['methods'].items():
            m = row['metrics'][metric] if metric in row['metrics'] else row.get(metric)
            if m is None:  # e.g. no partial tau without a control baseline
                continue
            low, high = (math.nan if v is None else v for v in m['ci'])
            curves.setdefault(method, []).append((run_units(row), m['value'], low, high))
    return {method: sorted(points) for method, points in curves.items()}


def run_units(record: Mapping) -> float:
    """A run's passes per training image: those it measured where its record has them (CEPT's max-recover adds
    passes that depend on the data), else the planned ones."""
    return record.get('units_measured', record['units'])


def row_label(method: str, budget: float) -> str:
    return f'{method} x{budget:g}'


def seeded_summary(runs: Mapping[float, Mapping[str, Sequence[Mapping]]], truth: Mapping[str, float],
                   baselines: Mapping[str, Mapping[str, float]], control: str | None = None,
                   methods: Sequence[str] | None = None, against: str | None = None) -> dict:
    """Every method at every budget as the mean over its supernet seeds with the two-level interval
    (:class:`~pinas.ranking.paired.SeededRanking`), the zero-cost baselines beside them, and the paired differences
    a study's claims rest on: every two methods at one budget (or, with ``against``, each method against that one),
    each method's consecutive budgets, and each method against the best baseline (by tau, and by partial tau given
    ``control``). JSON-able; what
    :func:`~pinas.ranking.report.format_seeded_study` renders."""
    from ..ranking.paired import PARTIAL, TAU, SeededRanking
    archs = sorted(truth)
    methods = list(methods or dict.fromkeys(m for r in runs.values() for m in r))
    rows = {row_label(m, b): [{a: r['scores'][a] for a in archs} for r in by_method[m]]
            for b, by_method in runs.items() for m in methods if m in by_method}
    base = {name: [{a: values[a] for a in archs}] for name, values in baselines.items()}
    ranking = SeededRanking({**rows, **base}, truth, baselines[control] if control in baselines else None)
    partial = PARTIAL in ranking.metrics

    def estimates(name: str) -> dict:
        out = {TAU: ranking.estimate(name, TAU).as_dict()}
        if partial and name != control:
            out[PARTIAL] = ranking.estimate(name, PARTIAL).as_dict()
        return out

    def best(metric: str) -> str | None:
        scored = {n: ranking.estimate(n, metric).value for n in base if not (metric == PARTIAL and n == control)}
        scored = {n: v for n, v in scored.items() if not math.isnan(v)}
        return max(scored, key=scored.get) if scored else None

    comparisons = []
    budgets = sorted(runs)
    for budget in budgets:
        present = [m for m in methods if m in runs[budget]]
        pairs = [(a, b) for i, a in enumerate(present) for b in present[i + 1:]
                 if against is None or against in (a, b)]
        for a, b in pairs:
            comparisons.append(ranking.difference(row_label(a, budget), row_label(b, budget), TAU))
    for method in methods:
        have = [b for b in budgets if method in runs[b]]
        for low, high in zip(have, have[1:]):
            comparisons.append(ranking.difference(row_label(method, high), row_label(method, low), TAU))
    for metric in ranking.metrics:
        top = best(metric)
        if top is None:
            continue
        for budget in budgets:
            for method in methods:
                if method in runs[budget]:
                    comparisons.append(ranking.difference(row_label(method, budget), top, metric))
    return dict(
        num_archs=len(archs), bootstrapped=ranking.bootstrapped, control=control if partial else None,
        methods={row_label(m, b): dict(method=m, budget=b, units=run_units(by_method[m][0]),
                                       seeds=[r.get('seed') for r in by_method[m]], **estimates(row_label(m, b)))
                 for b, by_method in runs.items() for m in methods if m in by_method},
        baselines={name: estimates(name) for name in base},
        best_baseline={metric: best(metric) for metric in ranking.metrics},
        comparisons=[d.as_dict() for d in comparisons])


def truth_ceilings(rows: Any, archs: Sequence[str], space=None) -> dict | None:
    """The ground truth's seed-to-seed Kendall tau-b over ``archs`` and the noise ceiling of the mean of its seeds
    (:func:`~pinas.ranking.metrics.seed_ceilings`), each ``{value, ci, n}`` plus the number of seeds, from the
    per-seed columns of a table tools/make_ground_truth.py wrote; None for a table without two seed columns."""
    from .ground_truth import seed_columns, seed_references
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return None
    by_code = {table_code(r.get('arch'), space): r for r in rows}
    columns = seed_columns(rows[0])
    if len(columns) < 2 or any(a not in by_code or any(c not in by_code[a] for c in columns) for a in archs):
        return None
    references = seed_references([[by_code[a][c] for a in archs] for c in columns])
    return dict(seeds=len(columns), seed_to_seed=references['seed_to_seed_kendall_tau_b'],
                noise_ceiling=references['noise_ceiling_kendall_tau_b'])


def seeded_curves(seeded: Mapping, metric: str = TAU) -> dict[str, list[tuple[float, float, float, float]]]:
    """``{method: [(passes per image, mean over seeds, ci_low, ci_high), ...]}`` of :func:`seeded_summary`'s rows,
    ordered by passes (NaN for a bound the report holds as null): the cost curves a report draws."""
    curves: dict[str, list] = {}
    for row in seeded['methods'].values():
        if metric not in row:
            continue
        low, high = (math.nan if v is None else v for v in row[metric]['ci'])
        curves.setdefault(row['method'], []).append((row['units'], row[metric]['value'], low, high))
    return {method: sorted(points) for method, points in curves.items()}
