"""Resource limits on candidate architectures: parameters, MACs and measured latency.

MACs (and params with them) are counted by :func:`pinas.complexity.measure_complexity` (mmengine's FLOP
analyser; a params-only limit counts parameters directly, as that function does, skipping the trace); latency
is the median of ``torch.utils.benchmark`` runs of one forward pass. Each architecture is measured once and
cached, and the cache travels in the search state so a resumed search reaches the same decisions even though
latency is noisy. The cheap counts are checked first: latency is only timed for candidates within the other
limits.

MACs and latency are measured at the search space's own ``input_size`` (224 for ``pinas_resnest50d``, 32 for
``pinas_resnest_tiny`` and the Track-1 space; :func:`build_constraint` is given it) unless the config sets
``input_size``. Config (e.g. in a search config)::

    constraints = dict(max_params_M=25.0, max_GMACs=5.5, max_latency_ms=40.0,
                       latency=dict(batch_size=1, device='cpu', num_threads=1, min_run_time=0.2))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import torch
from torch import nn
from torch.utils import benchmark

from ..arch import Arch
from ..complexity import measure_complexity
from .base import SearchError

LIMITS = {'max_params_M': 'params_M', 'max_GMACs': 'GMACs', 'max_latency_ms': 'latency_ms'}
DEFAULT_INPUT_SIZE = 224  # only where neither the config nor the search space gives one
MS_PER_S = 1e3


@dataclass(frozen=True)
class LatencySettings:
    """How latency is timed: one forward pass of ``batch_size`` images on ``device``."""

    batch_size: int = 1
    device: str = 'cpu'
    num_threads: int | None = None
    min_run_time: float = 0.2

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any] | None) -> 'LatencySettings':
        cfg = dict(cfg or {})
        unknown = set(cfg) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f'unknown latency settings {sorted(unknown)}; allowed: '
                             f'{sorted(cls.__dataclass_fields__)}')
        return cls(**cfg)


@dataclass
class ResourceConstraint:
    """Upper bounds on an architecture's resources; a limit left at None is not checked.

    Args:
        build_model: ``arch -> nn.Module`` building the stand-alone network whose resources are counted.
        max_params_M: parameters, millions.
        max_GMACs: multiply-accumulates of one image, billions (convs and linear layers).
        max_latency_ms: median forward time of one batch, milliseconds.
        input_size: square input resolution for MACs and latency (:func:`build_constraint` defaults it to the
            search space's ``input_size``).
        in_chans: input channels.
        latency: :class:`LatencySettings` or its config dict.
    """

    build_model: Callable[[Arch], nn.Module]
    max_params_M: float | None = None
    max_GMACs: float | None = None
    max_latency_ms: float | None = None
    input_size: int = DEFAULT_INPUT_SIZE
    in_chans: int = 3
    latency: LatencySettings | Mapping[str, Any] | None = None
    cache: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not callable(self.build_model):
            raise TypeError('ResourceConstraint needs build_model: a callable arch -> torch.nn.Module')
        if not isinstance(self.latency, LatencySettings):
            self.latency = LatencySettings.from_config(self.latency)
        for name in LIMITS:
            limit = getattr(self, name)
            if limit is not None and limit <= 0:
                raise ValueError(f'{name} must be positive, got {limit}')

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], build_model: Callable[[Arch], nn.Module]) -> 'ResourceConstraint':
        cfg = dict(cfg)
        cfg.pop('type', None)
        allowed = set(cls.__dataclass_fields__) - {'build_model', 'cache'}
        unknown = set(cfg) - allowed
        if unknown:
            raise ValueError(f'unknown constraint settings {sorted(unknown)}; allowed: {sorted(allowed)}')
        return cls(build_model=build_model, **cfg)

    @property
    def active(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in LIMITS if getattr(self, name) is not None}

    # --- decisions ---------------------------------------------------------------------------------------------
    def violations(self, arch: Arch) -> list[str]:
        """Human-readable list of the limits ``arch`` breaks (empty when feasible)."""
        measured = self.measure(arch)
        return [f'{LIMITS[name]} {measured[LIMITS[name]]:.3f} > {limit}' for name, limit in self.active.items()
                if LIMITS[name] in measured and measured[LIMITS[name]] > limit]

    def is_feasible(self, arch: Arch) -> bool:
        return not self.violations(arch)

    def check_satisfiable(self, space) -> None:
        """Refuse, before any search, a limit that no architecture of ``space`` meets: each limit is compared with
        the smallest value among the space's uniform architectures (the same choice at every position, clamped to
        each position's range), which hold its smallest architecture: the narrowest of a width space, and for the
        ResNeSt spaces the fewest parameters (all candidate 0) and the fewest MACs (all candidate 3)."""
        corners = {Arch(tuple(min(choice, n - 1) for n in space.cardinalities))
                   for choice in range(max(space.cardinalities))}
        measured = {arch: self.measure(arch) for arch in sorted(corners)}
        for name, limit in self.active.items():
            values = {arch: m[LIMITS[name]] for arch, m in measured.items() if LIMITS[name] in m}
            if values and min(values.values()) > limit:
                smallest = min(values, key=values.get)
                raise SearchError(f'no architecture of {space.name} meets the constraint {name}={limit}: the smallest, '
                                  f'{space.format(smallest)}, has {LIMITS[name]} {values[smallest]:.4g}; raise '
                                  f'search.constraints.{name} above that or drop it')

    def measure(self, arch: Arch) -> dict[str, float]:
        """Measured resources of ``arch`` (cached); latency is skipped when a counted limit already fails."""
        key = str(arch)
        if key not in self.cache:
            self.cache[key] = self._measure(arch)
        return dict(self.cache[key])

    # --- measurement -------------------------------------------------------------------------------------------
    def _measure(self, arch: Arch) -> dict[str, float]:
        model = self.build_model(arch)
        measured: dict[str, float] = {}
        if self.max_GMACs is not None:
            counted = measure_complexity(model, self.input_size, self.in_chans)
            measured.update(params_M=counted.params / 1e6, GMACs=counted.macs / 1e9)
        elif self.max_params_M is not None:
            # measure_complexity's parameter count without its (much slower) FLOP trace
            measured.update(params_M=sum(p.numel() for p in model.parameters()) / 1e6)
        within_counts = not any(measured[LIMITS[n]] > lim for n, lim in self.active.items() if LIMITS[n] in measured)
        if self.max_latency_ms is not None and within_counts:
            measured['latency_ms'] = self.time_forward(model)
        return measured

    @torch.inference_mode()
    def time_forward(self, model: nn.Module) -> float:
        """Median milliseconds of one forward pass (``torch.utils.benchmark`` handles warm-up and CUDA sync)."""
        settings = self.latency
        model = model.to(settings.device).eval()
        images = torch.randn(settings.batch_size, self.in_chans, self.input_size, self.input_size,
                             device=settings.device)
        timer = benchmark.Timer(stmt='model(images)', globals=dict(model=model, images=images),
                                num_threads=settings.num_threads or torch.get_num_threads())
        return timer.blocked_autorange(min_run_time=settings.min_run_time).median * MS_PER_S

    # --- state -------------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return dict(cache={k: dict(v) for k, v in self.cache.items()})

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.cache.update({k: dict(v) for k, v in state.get('cache', {}).items()})


def build_constraint(cfg: Mapping[str, Any] | None, build_model: Callable[[Arch], nn.Module] | None,
                     input_size: int | None = None):
    """A :class:`ResourceConstraint` from config, or None when the config sets no limit.

    ``input_size`` (the search space's own resolution) is where MACs and latency are measured unless the config
    sets ``input_size`` itself.
    """
    if not cfg or not any(cfg.get(name) is not None for name in LIMITS):
        return None
    if build_model is None:
        raise ValueError('resource constraints need a build_model(arch) callable to measure candidates')
    cfg = dict(cfg)
    if input_size is not None:
        cfg.setdefault('input_size', input_size)
    return ResourceConstraint.from_config(cfg, build_model)
