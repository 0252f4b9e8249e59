"""Build search strategies from config dicts through ``pinas.registry.STRATEGIES`` (a new strategy is one module
that registers its class).

    strategy = build_strategy(dict(type='evolution', population_size=20, max_generations=5), space,
                              constraints=dict(max_params_M=20.0, max_GMACs=4.0), build_model=build_model)
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ..registry import STRATEGIES
from ..spaces import SearchSpace
from ..utils.cli import UnknownNameError
from . import evolution, lanas, random_search, table_search  # noqa: F401  (register the strategies)
from .base import SearchStrategy
from .constraints import build_constraint


def build_strategy(cfg: Mapping[str, Any], space: SearchSpace, constraints: Mapping[str, Any] | None = None,
                   build_model: Callable | None = None, **default_args) -> SearchStrategy:
    """A strategy from ``cfg`` (``type`` is one of ``random``, ``evolution``, ``lanas``).

    ``constraints`` is a :class:`~pinas.search.constraints.ResourceConstraint` config; ``build_model(arch)``
    builds the network it measures, at the space's ``input_size`` unless the config sets one.
    """
    cfg = dict(cfg)
    if cfg.get('type') not in STRATEGIES:
        raise UnknownNameError(f'unknown search strategy {cfg.get("type")!r}; known: '
                               f'{sorted(STRATEGIES.module_dict)}')
    constraint = build_constraint(constraints, build_model, input_size=space.input_size)
    return STRATEGIES.build(cfg, default_args=dict(space=space, constraint=constraint, **default_args))
