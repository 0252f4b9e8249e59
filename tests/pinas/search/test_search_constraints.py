"""Resource constraints: infeasible architectures are never scored; params, MACs and latency are measured."""
import random

import numpy as np
import pytest
from torch import nn

from pinas.models import StandaloneResNeSt
from pinas.search import (EvolutionSearch, RandomSearch, ResourceConstraint, Searcher, build_constraint,
                          build_strategy)
from pinas.spaces import build_space
from search_helpers import GridSpace

INPUT_SIZE = 8


def conv_net(arch) -> nn.Module:
    """A small CNN whose widths grow with the choices, so bigger codes mean more parameters."""
    layers, channels = [], 3
    for choice in arch:
        width = 4 * (choice + 1)
        layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
        channels = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))


def n_params(arch) -> float:
    return sum(p.numel() for p in conv_net(arch).parameters()) / 1e6


def bigger_is_better(arch) -> float:
    return float(sum(c * 4 ** i for i, c in enumerate(arch)))  # distinct for every code


class Recorder:
    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def __call__(self, arch):
        self.calls.append(arch)
        return self.fn(arch)


LIMIT_M = 0.0015  # about half of the 3^4 architectures are above it


def test_random_search_scores_exactly_the_feasible_architectures(quiet_logger):
    space = GridSpace((3,) * 3)
    feasible = {a for a in space.all_archs() if n_params(a) <= LIMIT_M}
    assert 5 < len(feasible) < 22
    constraint = ResourceConstraint(conv_net, max_params_M=LIMIT_M, max_GMACs=1.0, input_size=INPUT_SIZE)
    score = Recorder(bigger_is_better)
    result = Searcher(space, RandomSearch(space, constraint), score, max_evals=200, logger=quiet_logger).run()
    assert set(score.calls) == feasible and len(score.calls) == len(feasible)
    assert result.best.arch == max(feasible, key=bigger_is_better)
    rejected = {code for code, m in constraint.cache.items() if m['params_M'] > LIMIT_M}
    assert rejected and not rejected & {str(a) for a in score.calls}
    # the measurements travel with each evaluation
    assert all(e.info['params_M'] == pytest.approx(n_params(e.arch)) for e in result.history)
    assert all(0 < e.info['GMACs'] < 1.0 for e in result.history)


def test_evolution_never_scores_infeasible_candidates(quiet_logger):
    space = GridSpace((4,) * 4)
    limit = 0.003  # 134 of the 256 architectures are within it
    constraint = ResourceConstraint.from_config(dict(max_params_M=limit, input_size=INPUT_SIZE), conv_net)
    strategy = EvolutionSearch(space, constraint, population_size=10, max_generations=8, top_k=3, num_mutation=5,
                               num_crossover=5, mutate_prob=0.5)
    score = Recorder(bigger_is_better)
    result = Searcher(space, strategy, score, logger=quiet_logger).run()
    assert len(score.calls) == 80
    assert all(n_params(a) <= limit for a in score.calls)
    assert any(m['params_M'] > limit for m in constraint.cache.values())  # some children were rejected
    feasible_best = max((a for a in space.all_archs() if n_params(a) <= limit), key=bigger_is_better)
    assert result.best.arch == feasible_best
    assert all(set(e.info) == {'params_M'} for e in result.history)


def test_measures_a_real_pinas_model_with_latency():
    space = build_space('pinas_resnest_tiny')

    def build(arch):
        return StandaloneResNeSt(arch, space, num_classes=10)

    arch = space.parse('311021')
    loose = ResourceConstraint(build, max_params_M=100, max_GMACs=100, max_latency_ms=1e4, input_size=32,
                               latency=dict(min_run_time=0.05, num_threads=1))
    measured = loose.measure(arch)
    assert measured['params_M'] == pytest.approx(sum(p.numel() for p in build(arch).parameters()) / 1e6)
    assert 0 < measured['GMACs'] < 0.1 and measured['latency_ms'] > 0
    assert loose.is_feasible(arch)
    tight = ResourceConstraint(build, max_latency_ms=1e-6, input_size=32, latency=dict(min_run_time=0.05))
    assert tight.violations(arch)[0].startswith('latency_ms')
    # latency is not timed once a counted limit already fails
    too_big = ResourceConstraint(build, max_params_M=1e-6, max_latency_ms=1e4, input_size=32)
    assert not too_big.is_feasible(arch) and 'latency_ms' not in too_big.measure(arch)


def test_constraint_config_errors_and_builders():
    with pytest.raises(ValueError, match='unknown constraint settings'):
        ResourceConstraint.from_config(dict(max_flops=3), conv_net)
    with pytest.raises(ValueError, match='unknown latency settings'):
        ResourceConstraint(conv_net, max_latency_ms=1, latency=dict(warmup=3))
    with pytest.raises(ValueError, match='positive'):
        ResourceConstraint(conv_net, max_params_M=-1)
    assert build_constraint(None, conv_net) is None and build_constraint(dict(input_size=32), None) is None
    with pytest.raises(ValueError, match='build_model'):
        build_constraint(dict(max_params_M=1.0), None)
    strategy = build_strategy(dict(type='random'), GridSpace((2, 2)), constraints=dict(max_params_M=1.0),
                              build_model=conv_net)
    assert isinstance(strategy.constraint, ResourceConstraint) and strategy.constraint.max_params_M == 1.0


def test_search_over_the_real_tiny_space_respects_a_params_limit(quiet_logger):
    space = build_space('pinas_resnest_tiny')

    def build(arch):
        return StandaloneResNeSt(arch, space, num_classes=10)

    rng = random.Random(1)
    limit = float(np.median([sum(p.numel() for p in build(space.sample(rng)).parameters()) / 1e6
                             for _ in range(9)]))  # about half of the space is above it
    constraint = ResourceConstraint(build, max_params_M=limit, input_size=space.input_size)
    score = Recorder(bigger_is_better)
    result = Searcher(space, RandomSearch(space, constraint), score, max_evals=4, logger=quiet_logger).run()
    assert len(result.history) == 4 and all(e.info['params_M'] <= limit for e in result.history)
    assert any(m['params_M'] > limit for m in constraint.cache.values())


def test_macs_are_measured_at_the_space_input_size_unless_the_config_sets_one():
    from pinas.complexity import measure_complexity
    space = build_space('pinas_resnest_tiny')
    assert space.input_size == 32

    def build(arch):
        return StandaloneResNeSt(arch, space, num_classes=10)

    arch = space.parse('311021')
    default = build_strategy(dict(type='random'), space, constraints=dict(max_GMACs=100.0), build_model=build)
    assert default.constraint.input_size == 32  # the space's own size, not 224
    assert default.constraint.measure(arch)['GMACs'] == pytest.approx(measure_complexity(build(arch), 32).macs / 1e9)
    explicit = build_strategy(dict(type='random'), space, constraints=dict(max_GMACs=100.0, input_size=64),
                              build_model=build)
    assert explicit.constraint.input_size == 64
    assert explicit.constraint.measure(arch)['GMACs'] == pytest.approx(measure_complexity(build(arch), 64).macs / 1e9)
    # build_constraint itself: the size it is given, unless the config sets one
    assert build_constraint(dict(max_GMACs=1.0), build, input_size=32).input_size == 32
    assert build_constraint(dict(max_GMACs=1.0, input_size=48), build, input_size=32).input_size == 48
