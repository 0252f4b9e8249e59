"""The official Pi-NAS search: a LaNAS-style learned partition of the space (Ernie1/Pi-NAS search_phase.py).

1. Score ``initial_sample`` (80) distinct random architectures (after any user-given ``initial_samples``).
2. Until ``max_samples`` (1000) are scored: fit a tree of LightGBM "good half" classifiers on everything scored
   so far, of height ``searchsorted(height_levels, n) + 1``; then propose ``selects`` (8) architectures by
   rejection sampling, accepting the first uniform draw that every classifier on the selected root-to-leaf path
   labels "good"; then refit.

Faithful to the released code:

* each node splits at the median score; a LightGBM binary classifier on the raw integer codes learns
  "score >= median", tuned by hyperopt TPE (10 evaluations) on an 80/20 split, 100 boosting rounds;
* selection is greedy, as released: every node goes to the child whose median beats the other's (always the
  better half, so the path is all-"good"); visit counts and the "UCB" term are unused by the official code and
  are not kept here.

Deliberate fixes, each of a crash or a hang in the released code (section 7):

* ``initial_samples`` defaults to none (the released hook raised KeyError, bug 7.2);
* the fallback "any unseen architecture" loop is bounded by ``max_tries`` (it never advanced, bug 7.5); if
  nothing new is found the search stops instead of re-scoring a seen architecture;
* the classifier retry rule terminates (bug 7.6): the released loop refit with identical seeds, so every
  retry produced the identical model and only the slowly relaxing error threshold could end it (after hundreds
  of identical fits). Here retry ``t`` shifts the split, hyperopt and LightGBM seeds by ``t``, so each retry is a
  genuinely different model, and after ``max_retrain`` retries the lowest-validation-error model is kept (with a
  warning). The first fit uses the official seeds (split 1, hyperopt 1, LightGBM 0);
* LightGBM 4 (early stopping as a callback) and hyperopt >= 0.2.7 (``rstate=np.random.default_rng``) APIs;
* candidates are checked against every architecture scored so far (the released code only knew those scored
  before the last refit, so one batch of 8 could repeat an architecture);
* the 80/20 split is a seeded NumPy permutation (scikit-learn is not a dependency); it plays the role of
  ``train_test_split(random_state=1)`` but selects different rows;
* a node whose scores are all equal (one class) or that holds fewer than ``min_node_size`` (8) architectures
  cannot train and validate a classifier and becomes a leaf (never the case with the official budgets).

Candidates are uniform codes drawn from the space's ``cardinalities`` (the released sampler is a uniform
``randint``), drawn and classified in batches of ``sample_batch`` (one LightGBM call per batch instead of one per
draw); the first accepted draw in draw order is returned, as in the sequential original.
"""
from __future__ import annotations

import logging
import math
import random
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..arch import Arch, ArchLike
from ..registry import STRATEGIES
from .base import Evaluation, SearchStrategy, seen_set

# Official values (configs/pinas_linear_evaluation.py and apis/learning_phase.py).
OFFICIAL_HEIGHT_LEVELS = (400, 800, 1600, 3200)
OFFICIAL_MAX_TRIES = 200_000
BASE_LGB_PARAMS = dict(objective='binary', metric='binary_error', verbosity=-1)
# The released acceptance rule: val error < 0.5 + max(0, (trial - 100) / 1000 * 0.3).
RETRAIN_ERROR = 0.5
RETRAIN_RELAX_AFTER = 100
RETRAIN_RELAX_PER_TRIAL = 0.3 / 1000
# Classifying a batch of draws is too small to gain from threads; more threads only add contention.
PREDICT_THREADS = 1
GOOD, BAD = 'l', 'r'  # the released code's names of the children: left = score >= median


def retrain_threshold(trial: int) -> float:
    """Validation error a classifier must beat on retry ``trial`` (the released rule)."""
    return RETRAIN_ERROR + max(0.0, (trial - RETRAIN_RELAX_AFTER) * RETRAIN_RELAX_PER_TRIAL)


@dataclass(frozen=True)
class ClassifierSettings:
    """How each node's "good half" classifier is fitted and tuned (official values as defaults).

    ``max_retrain`` and ``min_node_size`` are this implementation's (see the module docstring);
    ``lgb_params`` overrides LightGBM settings (e.g. ``min_data_in_leaf`` for tiny test budgets).
    """

    boost_rounds: int = 100
    early_stopping_rounds: int = 100
    val_fraction: float = 0.2
    hyperopt_evals: int = 10
    split_seed: int = 1
    hyperopt_seed: int = 1
    lgb_seed: int = 0
    num_threads: int = 4
    max_retrain: int = 10
    min_node_size: int = 8
    lgb_params: Mapping[str, Any] | None = None

    def params(self, attempt: int) -> dict[str, Any]:
        # deterministic=True makes a refit from the same data reproduce the same model (needed on resume).
        return dict(BASE_LGB_PARAMS, seed=self.lgb_seed + attempt, num_threads=self.num_threads,
                    deterministic=True, **dict(self.lgb_params or {}))


@dataclass
class PartitionNode:
    """A node of the learned partition: the median split of its scores and the classifier that predicts it."""

    median: float
    height: int
    size: int
    threshold: float
    model: Any = None
    val_error: float = math.nan
    good: 'PartitionNode | None' = None
    bad: 'PartitionNode | None' = None

    @property
    def is_leaf(self) -> bool:
        return self.model is None

    def select_path(self) -> list[tuple['PartitionNode', str]]:
        """Root-to-leaf (node, side) pairs by the released rule: the child with the larger ``median - threshold``
        (ties to the good side). Since the good child holds the scores >= median, this is always the good side."""
        path, node = [], self
        while not node.is_leaf:
            side = GOOD if node.good.median - node.threshold >= node.bad.median - node.threshold else BAD
            path.append((node, side))
            node = node.good if side == GOOD else node.bad
        return path

    def describe(self) -> str:
        if self.is_leaf:
            return f'leaf(n={self.size}, median={self.median:.4g})'
        return (f'node(n={self.size}, median={self.median:.4g}, val_err={self.val_error:.3f}; '
                f'{self.good.describe()} | {self.bad.describe()})')


def build_partition(X: np.ndarray, y: np.ndarray, height: int, settings: ClassifierSettings,
                    logger: logging.Logger | None = None) -> PartitionNode:
    """The learned partition tree of ``height`` levels of classifiers over (X, y)."""
    median = float(np.median(y))
    good = y >= median
    node = PartitionNode(median=median, height=height, size=len(y), threshold=median)
    if height <= 0 or good.all() or not good.any() or len(y) < settings.min_node_size:
        return node
    node.model, node.val_error = fit_good_half_classifier(X, good.astype(int), settings, logger)
    node.good = build_partition(X[good], y[good], height - 1, settings, logger)
    node.bad = build_partition(X[~good], y[~good], height - 1, settings, logger)
    node.threshold = node.bad.median
    return node


def fit_good_half_classifier(X: np.ndarray, labels: np.ndarray, settings: ClassifierSettings,
                             logger: logging.Logger | None = None):
    """(booster, validation error) of the first retry that meets :func:`retrain_threshold`, else the best."""
    best = None
    for attempt in range(settings.max_retrain + 1):
        booster, error = _tuned_fit(X, labels, settings, attempt)
        if best is None or error < best[1]:
            best = (booster, error)
        if error < retrain_threshold(attempt):
            return booster, error
    if logger is not None:
        logger.warning(f'partition classifier: no fit beat validation error {retrain_threshold(0)} in '
                       f'{settings.max_retrain + 1} attempts; keeping the best (error {best[1]:.3f})')
    return best


def _tuned_fit(X: np.ndarray, labels: np.ndarray, settings: ClassifierSettings, attempt: int):
    """Hyperopt-TPE-tuned LightGBM on a seeded train/val split; returns (booster, best val error)."""
    import hyperopt
    import lightgbm as lgb
    order = np.random.default_rng(settings.split_seed + attempt).permutation(len(labels))
    n_val = max(1, math.ceil(settings.val_fraction * len(labels)))
    val, train = order[:n_val], order[n_val:]
    params = settings.params(attempt)

    def fit(hyper: Mapping[str, Any]):
        train_set = lgb.Dataset(X[train], label=labels[train], params=dict(verbosity=-1))
        val_set = lgb.Dataset(X[val], label=labels[val], reference=train_set)
        booster = lgb.train({**params, **_plain(hyper)}, train_set, settings.boost_rounds, valid_sets=[val_set],
                            valid_names=['val'],
                            callbacks=[lgb.early_stopping(settings.early_stopping_rounds, verbose=False)])
        return booster, float(booster.best_score['val'][params['metric']])

    space = _hyperopt_space()
    with _quiet_hyperopt():
        best = hyperopt.fmin(fn=lambda h: {'loss': fit(h)[1], 'status': hyperopt.STATUS_OK}, space=space,
                             algo=hyperopt.tpe.suggest, max_evals=settings.hyperopt_evals, trials=hyperopt.Trials(),
                             rstate=np.random.default_rng(settings.hyperopt_seed + attempt), verbose=False,
                             show_progressbar=False)
    return fit(hyperopt.space_eval(space, best))


def _hyperopt_space() -> dict:
    """The released search space over LightGBM settings."""
    from hyperopt import hp
    return {
        'learning_rate': hp.loguniform('learning_rate', np.log(0.01), np.log(0.5)),
        'max_depth': hp.choice('max_depth', [-1, 2, 3, 4, 5, 6]),
        'num_leaves': hp.choice('num_leaves', [int(v) for v in np.linspace(10, 200, 50, dtype=int)]),
        'feature_fraction': hp.quniform('feature_fraction', 0.5, 1.0, 0.1),
        'bagging_fraction': hp.quniform('bagging_fraction', 0.5, 1.0, 0.1),
        'bagging_freq': hp.choice('bagging_freq', [int(v) for v in np.linspace(0, 50, 10, dtype=int)]),
        'reg_alpha': hp.uniform('reg_alpha', 0, 2),
        'reg_lambda': hp.uniform('reg_lambda', 0, 2),
        'min_child_weight': hp.uniform('min_child_weight', 0.5, 10),
    }


def _plain(hyper: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.item() if hasattr(v, 'item') else v) for k, v in hyper.items()}


@contextmanager
def _quiet_hyperopt():
    hyperopt_logger = logging.getLogger('hyperopt')
    level = hyperopt_logger.level
    hyperopt_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        hyperopt_logger.setLevel(level)


@STRATEGIES.register_module('lanas')
class LearnedPartitionSearch(SearchStrategy):
    """Args (official values as defaults):
        space, constraint: see :class:`~pinas.search.base.SearchStrategy`; infeasible draws are rejected
            like classifier-rejected ones.
        initial_sample: random architectures scored before the first tree (80).
        initial_samples: architecture codes to score first (counted in ``initial_sample``; default none).
        selects: architectures proposed per tree refit (8).
        max_samples: evaluations in total (1000).
        height_levels: tree height is ``searchsorted(height_levels, n) + 1`` for n scored architectures.
        max_tries: draws per proposal before the fallback, and again for the fallback (200,000).
        sample_batch: draws classified per LightGBM call.
        classifier: :class:`ClassifierSettings` or its config dict (rounds, hyperopt evals, seeds, retries...).
        logger: where refits are reported (the searcher passes its own).
    """

    name = 'lanas'

    def __init__(self, space, constraint=None, initial_sample: int = 80, initial_samples: Sequence[ArchLike] = (),
                 selects: int = 8, max_samples: int = 1000, height_levels: Sequence[int] = OFFICIAL_HEIGHT_LEVELS,
                 max_tries: int = OFFICIAL_MAX_TRIES, sample_batch: int = 4096,
                 classifier: ClassifierSettings | Mapping[str, Any] | None = None, logger=None):
        super().__init__(space, constraint, max_tries)
        if not 1 <= initial_sample <= max_samples or selects < 1 or sample_batch < 1:
            raise ValueError(f'learned partition search needs 1 <= initial_sample ({initial_sample}) <= max_samples '
                             f'({max_samples}), selects >= 1 ({selects}) and sample_batch >= 1 ({sample_batch})')
        self.initial_samples = [space.parse(code) for code in initial_samples]
        if len(self.initial_samples) > initial_sample:
            raise ValueError(f'{len(self.initial_samples)} initial_samples given but initial_sample is '
                             f'{initial_sample}; raise initial_sample or pass fewer architectures')
        if list(height_levels) != sorted(height_levels):
            raise ValueError(f'height_levels must be increasing, got {list(height_levels)}')
        self.initial_sample = initial_sample
        self.selects = selects
        self.max_samples = max_samples
        self.height_levels = tuple(int(h) for h in height_levels)
        self.sample_batch = sample_batch
        if not isinstance(classifier, ClassifierSettings):
            classifier = ClassifierSettings(**dict(classifier or {}))
        self.classifier = classifier
        self.logger = logger
        self.tree: PartitionNode | None = None
        self.tree_size: int | None = None  # number of evaluations the current tree was fitted on

    @property
    def budget(self) -> int:
        return self.max_samples

    def config(self) -> dict[str, Any]:
        return dict(super().config(), initial_sample=self.initial_sample,
                    initial_samples=[self.space.format(a) for a in self.initial_samples], selects=self.selects,
                    max_samples=self.max_samples, height_levels=list(self.height_levels),
                    sample_batch=self.sample_batch, classifier=dict(vars(self.classifier)))

    def height(self, n: int) -> int:
        return int(np.searchsorted(self.height_levels, n)) + 1

    def refit_point(self, n: int) -> int:
        """Evaluations the tree in use at step ``n`` was fitted on: refits at initial_sample + k * selects."""
        return self.initial_sample + (n - self.initial_sample) // self.selects * self.selects

    # --- proposals ---------------------------------------------------------------------------------------------
    def propose(self, history: Sequence[Evaluation], rng: random.Random) -> Arch | None:
        n = len(history)
        if n >= self.max_samples:
            return None
        seen = seen_set(history)
        if n < self.initial_sample:
            return self._initial(seen, rng)
        self._ensure_tree(history)
        return self.sample(self.tree.select_path(), seen, rng)

    def _initial(self, seen: set[Arch], rng: random.Random) -> Arch | None:
        """The given initial samples in order (infeasible ones skipped), then distinct random draws."""
        for arch in self.initial_samples:
            if self.acceptable(arch, seen):
                return arch
        return self.draw_new(rng, seen)

    def _ensure_tree(self, history: Sequence[Evaluation]) -> None:
        size = self.refit_point(len(history))
        if self.tree is not None and self.tree_size == size:
            return
        X = np.array([e.arch.choices for e in history[:size]], dtype=float)
        y = np.array([e.score for e in history[:size]], dtype=float)
        self.tree = build_partition(X, y, self.height(size), self.classifier, self.logger)
        self.tree_size = size
        if self.logger is not None:
            self.logger.info(f'learned partition refit on {size} architectures, height {self.height(size)}: '
                             f'{self.tree.describe()}')

    def sample(self, path: list[tuple[PartitionNode, str]], seen: set[Arch], rng: random.Random) -> Arch | None:
        """First new, feasible draw accepted by every classifier on ``path``; else any new feasible draw."""
        arch = self._first_accepted(path, seen, rng)
        if arch is None and path:
            if self.logger is not None:
                self.logger.warning(f'no draw in {self.max_tries} satisfied the partition classifiers; '
                                    f'falling back to any new architecture')
            arch = self._first_accepted([], seen, rng)
        return arch

    def _first_accepted(self, path, seen: set[Arch], rng: random.Random) -> Arch | None:
        """Rejection sampling over at most ``max_tries`` uniform draws, classified in batches."""
        for start in range(0, self.max_tries, self.sample_batch):
            codes = uniform_codes(self.space.cardinalities, min(self.sample_batch, self.max_tries - start), rng)
            for row in codes[_accepted(path, codes)]:
                arch = Arch(tuple(int(c) for c in row))
                if self.acceptable(arch, seen):
                    return arch
        return None

    # --- state -------------------------------------------------------------------------------------------------
    # The tree is a deterministic function of the history (fixed seeds, deterministic LightGBM), so the state
    # holds no model: after a resume the tree is refitted on the same evaluations and gives the same proposals.
    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.tree, self.tree_size = None, None


def uniform_codes(cardinalities: Sequence[int], count: int, rng: random.Random) -> np.ndarray:
    """``count`` uniform architecture codes (rows), as the released ``randint`` sampler draws them.

    NumPy draws them in one call, seeded from the searcher's generator so the search stays reproducible.
    """
    generator = np.random.default_rng(rng.getrandbits(64))
    return generator.integers(0, np.asarray(cardinalities), size=(count, len(cardinalities)))


def _accepted(path: list[tuple[PartitionNode, str]], X: np.ndarray) -> np.ndarray:
    """Which rows every classifier on ``path`` puts on the path's side (probability >= 0.5 means good)."""
    ok = np.ones(len(X), dtype=bool)
    for node, side in path:
        good = node.model.predict(X.astype(float), num_threads=PREDICT_THREADS) >= 0.5
        ok &= good if side == GOOD else ~good
    return ok

