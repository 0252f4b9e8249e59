"""The searcher: ask a strategy for a candidate, score it, record it, checkpoint, repeat.

* **Resumable.** After every evaluation the searcher writes its whole state (history, random generator, strategy
  state) to ``state_file`` atomically (temporary file + ``os.replace``), so a crash at any point leaves either
  the previous or the new state, never a torn file. Started again with the same file, the searcher continues where
  it stopped without re-scoring anything, and ends with the same result as an uninterrupted run.
* **Tied to what it scored.** The state records a ``context``: what the scores depend on (the supernet checkpoint's
  identity, the scorer's and the constraints' settings). A state of another context (a retrained or longer-trained
  supernet, a new constraint) is discarded with one logged line saying why, together with the files made from it
  (``derived``: ranked tables, arch files, exports), and the search starts over.
* **Distributed.** Under an initialised ``torch.distributed`` process group, rank 0 alone runs the strategy
  and broadcasts each candidate (``broadcast_object_list``), so every rank scores the same architecture. Every
  rank calls ``score_fn`` (which must all-reduce its result, e.g. over a sharded validation set); rank 0's
  value is then broadcast so all ranks keep identical histories. Only rank 0 reads and writes the state file.
* **Logged.** Each evaluation is logged with the running best (mmengine's ``MMLogger``).
"""
from __future__ import annotations

import json
import logging
import math
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import torch.distributed as dist
from mmengine.logging import MMLogger

from ..arch import Arch
from ..spaces import SearchSpace
from ..utils.files import atomic_write_json, remove_stale_temp_files
from .base import Evaluation, SearchError, SearchStrategy, ranked

STATE_FORMAT = 'pinas-search-state'
STATE_VERSION = 1
SCORE_MISMATCH_TOL = 1e-6  # relative difference between ranks' scores that triggers a warning
SHOWN_DIGEST = 12  # hex digits of a checkpoint's sha256 shown when the search starts over

ScoreFn = Callable[[Arch], float]


@dataclass
class SearchResult:
    """All evaluations in the order they were made."""

    history: list[Evaluation]

    @property
    def best(self) -> Evaluation:
        if not self.history:
            raise SearchError('the search evaluated no architecture, so it has no best one')
        return ranked(self.history)[0]

    def top(self, n: int) -> list[Evaluation]:
        return ranked(self.history)[:n]


class Searcher:
    """Drive ``strategy`` with ``score_fn`` for at most ``max_evals`` evaluations.

    Args:
        space: the search space (``cardinalities``, ``arch``, ``sample``).
        strategy: a :class:`~pinas.search.base.SearchStrategy`.
        score_fn: ``arch -> float``, higher is better.
        max_evals: evaluation budget; defaults to the strategy's own budget (required if it has none).
        state_file: JSON checkpoint written after every evaluation and resumed from when it exists.
        seed: seeds the searcher's random generator (``random.Random``), the only randomness strategies use.
        logger: a ``logging.Logger``; defaults to mmengine's current ``MMLogger``.
        context: JSON-able description of what the scores depend on (see above); ``None`` records nothing.
        derived: files and directories made from the state, removed when a state of another context is discarded.
    """

    def __init__(self, space: SearchSpace, strategy: SearchStrategy, score_fn: ScoreFn,
                 max_evals: int | None = None, state_file: str | os.PathLike | None = None, seed: int = 0,
                 logger: logging.Logger | None = None, context: Mapping[str, Any] | None = None,
                 derived: Sequence[str | os.PathLike] = ()):
        budgets = [b for b in (max_evals, strategy.budget) if b is not None]
        if not budgets:
            raise SearchError(f'the {strategy.name!r} strategy has no budget of its own; pass max_evals')
        if min(budgets) < 1:
            raise SearchError(f'max_evals must be at least 1, got {min(budgets)}')
        self.space = space
        self.strategy = strategy
        self.score_fn = score_fn
        self.max_evals = min(budgets)
        self.state_file = Path(state_file) if state_file is not None else None
        self.seed = seed
        self.logger = logger or MMLogger.get_current_instance()
        if getattr(strategy, 'logger', ...) is None:
            strategy.logger = self.logger
        self.rng = random.Random(seed)
        self.history: list[Evaluation] = []
        self.context = _as_json(context)
        self.derived = [Path(p) for p in derived]

    # --- running -----------------------------------------------------------------------------------------------
    def run(self) -> SearchResult:
        self._resume()
        self._info(f'search: {self.strategy.name} strategy, budget {self.max_evals}, '
                   f'{len(self.history)} evaluation(s) already done')
        while len(self.history) < self.max_evals:
            proposal = self._next_proposal()
            if proposal is None:
                self._info(f'search: the {self.strategy.name} strategy has no new candidate; stopping')
                break
            arch = self.space.parse(proposal['arch'])
            evaluation = Evaluation(arch, self._score(arch), proposal['info'])
            self.history.append(evaluation)
            self._log_evaluation(evaluation)
            self._save()
        return SearchResult(list(self.history))

    def _next_proposal(self) -> dict[str, Any] | None:
        """Rank 0 asks the strategy; every rank receives the same proposal."""
        def propose():
            arch = self.strategy.propose(self.history, self.rng)
            return None if arch is None else dict(arch=self.space.format(arch),
                                                  info=self.strategy.measurements(arch))
        return _from_rank0(propose)

    def _score(self, arch: Arch) -> float:
        value, code = self.score_fn(arch), self.space.format(arch)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise SearchError(f'score_fn must return a number, got {value!r} for architecture {code}') from None
        if not math.isfinite(value):
            raise SearchError(f'score_fn returned {value} for architecture {code}; scores must be finite')
        reference = _broadcast(value)
        if abs(value - reference) > SCORE_MISMATCH_TOL * max(1.0, abs(reference)):
            self.logger.warning(f'rank {_rank()} scored {code} as {value} but rank 0 as {reference}: score_fn '
                                f'should all-reduce its result; using rank 0\'s value')
        return reference

    def _log_evaluation(self, evaluation: Evaluation) -> None:
        best = ranked(self.history)[0]
        extra = ''.join(f' {k}={v:.4g}' for k, v in evaluation.info.items() if isinstance(v, (int, float)))
        code = self.space.format(evaluation.arch)
        self._info(f'search [{len(self.history)}/{self.max_evals}] {code} score={evaluation.score:.4f}'
                   f'{extra} | best {best.score:.4f} ({self.space.format(best.arch)})')

    def _info(self, message: str) -> None:
        if _rank() == 0:
            self.logger.info(message)

    # --- state -------------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return dict(format=STATE_FORMAT, version=STATE_VERSION, strategy=self.strategy.name,
                    strategy_config=self.strategy.config(), cardinalities=list(self.space.cardinalities),
                    seed=self.seed, context=self.context, history=[e.as_dict(self.space) for e in self.history],
                    rng_state=_rng_state_to_json(self.rng.getstate()), strategy_state=self.strategy.state_dict())

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._check_compatible(state)
        self.history = [Evaluation.from_dict(row, self.space) for row in state['history']]
        self.rng.setstate(_rng_state_from_json(state['rng_state']))
        self.strategy.load_state_dict(state['strategy_state'])

    def _save(self) -> None:
        if self.state_file is not None and _rank() == 0:
            atomic_write_json(self.state_file, self.state_dict())

    def _resume(self) -> None:
        def load():
            if self.state_file is None:
                return None
            remove_stale_temp_files(self.state_file.parent)
            if not self.state_file.is_file():
                return None
            state = read_state(self.state_file)
            reason = _context_change(state.get('context'), self.context)
            if reason is not None:
                self._discard(f'{self.state_file} holds scores of {reason}; starting the search over')
                return None
            self.load_state_dict(state)
            self._info(f'search: resumed {len(self.history)} evaluation(s) from {self.state_file}')
            return [e.as_dict(self.space) for e in self.history]
        rows = _from_rank0(load)
        if _rank() != 0 and rows is not None:
            self.history = [Evaluation.from_dict(row, self.space) for row in rows]

    def _discard(self, why: str) -> None:
        """Remove the state file and what was made from it, saying why (rank 0)."""
        self.logger.warning(f'search: {why}')
        for path in [self.state_file, *self.derived]:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def _check_compatible(self, state: dict[str, Any]) -> None:
        where = f'state file {self.state_file}' if self.state_file else 'search state'
        fix = 'delete it or pass another state file to start a new search'
        if state.get('format') != STATE_FORMAT or state.get('version') != STATE_VERSION:
            raise SearchError(f'{where} is not a pinas search state (version {STATE_VERSION}); {fix}')
        expected = dict(strategy=self.strategy.name, cardinalities=list(self.space.cardinalities), seed=self.seed)
        for key, value in expected.items():
            if state.get(key) != value:
                raise SearchError(f'{where} was written with {key}={state.get(key)!r} but this search has '
                                  f'{key}={value!r}; {fix}')
        changed = sorted(k for k, v in self.strategy.config().items() if state['strategy_config'].get(k) != v)
        if changed:
            self.logger.warning(f'{where}: strategy settings {changed} differ from the resumed run; continuing '
                                f'with the new settings')


# --- context -----------------------------------------------------------------------------------------------------
def _as_json(value: Any) -> Any:
    """``value`` as it reads back from a JSON file (tuples become lists, config dicts plain dicts), so that a
    context compares equal to the one a state file recorded."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _context_change(recorded: Any, current: Any) -> str | None:
    """What differs between the context a state recorded and this search's (None: the same), in words."""
    if recorded == current:
        return None
    if not isinstance(recorded, Mapping) or not isinstance(current, Mapping):
        return 'another search (its state records no context)' if recorded is None else 'another search'
    changed = sorted(k for k in {*recorded, *current} if recorded.get(k) != current.get(k))
    described = []
    for key in changed:
        old, new = recorded.get(key), current.get(key)
        if not (isinstance(old, Mapping) and isinstance(new, Mapping)):
            described.append(f'another {key}')
        elif 'sha256' in old and 'sha256' in new:  # a file's identity
            described.append(f'another {key} ({old.get("name")} sha256 {str(old["sha256"])[:SHOWN_DIGEST]}..., '
                             f'now {new.get("name")} sha256 {str(new["sha256"])[:SHOWN_DIGEST]}...)')
        else:
            parts = sorted(k for k in {*old, *new} if old.get(k) != new.get(k))
            described.append(f'other {key} ({", ".join(parts)} changed)')
    return ' and '.join(described)


# --- files -----------------------------------------------------------------------------------------------------
def read_state(path: Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as err:
        raise SearchError(f'state file {path} is not valid JSON ({err}); delete it to start a new search') from err


def _rng_state_to_json(state: tuple) -> list:
    version, internal, gauss_next = state
    return [version, list(internal), gauss_next]


def _rng_state_from_json(state: Sequence) -> tuple:
    version, internal, gauss_next = state
    return version, tuple(internal), gauss_next


# --- torch.distributed -----------------------------------------------------------------------------------------
def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def _rank() -> int:
    return dist.get_rank() if _distributed() else 0


def _from_rank0(fn: Callable[[], Any]) -> Any:
    """``fn()`` run on rank 0 and broadcast; if it raises there, every rank raises instead of waiting forever."""
    result, error = None, None
    if _rank() == 0:
        try:
            result = fn()
        except Exception as err:
            if not _distributed():
                raise
            error = err
    failure = _broadcast(None if error is None else f'{type(error).__name__}: {error}')
    if error is not None:
        raise error
    if failure is not None:
        raise SearchError(f'rank 0 failed, stopping this rank too: {failure}')
    return _broadcast(result)


def _broadcast(obj: Any) -> Any:
    """Rank 0's ``obj`` on every rank (identity outside a process group)."""
    if not _distributed():
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]
