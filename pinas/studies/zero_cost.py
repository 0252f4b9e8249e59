"""Zero-cost baselines: rankings that train nothing.

A supernet's ranking is worth its training only where it beats scores computed from the architecture alone or from
one minibatch through the randomly initialised stand-alone network. These are the standard proxies with their
published definitions (Abdelfattah et al., ICLR 2021; Krishnakumar et al., NAS-Bench-Suite-Zero, NeurIPS 2022); higher
is predicted better for all of them.

A proxy is one function ``proxy(model, batch) -> score`` registered in :data:`pinas.registry.ZERO_COST` with
:func:`zero_cost_proxy`. It receives its own copy of the freshly initialised network (it may change it: synflow
takes absolute weights) and a :class:`Minibatch` on the network's device, creates every tensor it needs there, and
returns a number or a 0-dim tensor. Conventions shared by the gradient proxies: the network is in train mode (BN
normalises with the batch's statistics, as at the start of training), the loss is cross-entropy, and "weights" are
the weight tensors of convolutions and linear layers.

:func:`score_architectures` runs proxies over architectures of any space: every architecture gets the same
minibatch (:func:`fixed_minibatch`) and the same init seeds, and a proxy that depends on the init is averaged over
them.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..arch import ArchLike
from ..complexity import measure_complexity
from ..datasets.folder import fixed_subset
from ..models.standalone import build_standalone
from ..registry import ZERO_COST
from ..spaces import SpaceLike, build_space
from ..utils.cli import UnknownNameError
from ..ranking.tables import ranked_rows

DEFAULT_INIT_SEEDS = (0, 1, 2)
JACOV_K = 1e-5  # Mellor et al. 2020 (v1): keeps log and 1/x finite at zero eigenvalues
WEIGHT_LAYERS = (nn.Conv2d, nn.Linear)
Proxy = Callable[[nn.Module, 'Minibatch'], 'float | torch.Tensor']


@dataclass(frozen=True)
class Minibatch:
    """The one batch every architecture is scored on: images and class labels, on one device."""

    inputs: torch.Tensor
    targets: torch.Tensor

    def to(self, device) -> 'Minibatch':
        return Minibatch(self.inputs.to(device), self.targets.to(device))


def fixed_minibatch(dataset, batch_size: int, seed: int = 0) -> Minibatch:
    """``batch_size`` samples of ``dataset`` (items ``dict(inputs, data_samples)``) drawn with ``seed``: the same
    batch for every architecture and every run."""
    samples = [dataset[i] for i in fixed_subset(len(dataset), batch_size, seed)]
    return Minibatch(torch.stack([s['inputs'] for s in samples]),
                     torch.tensor([int(s['data_samples']) for s in samples]))


def shape_batch(input_size: int, in_chans: int = 3) -> Minibatch:
    """A batch of one zero image: what the architecture-only proxies (params, flops) read when no data is given."""
    return Minibatch(torch.zeros(1, in_chans, input_size, input_size), torch.zeros(1, dtype=torch.long))


# --- registry --------------------------------------------------------------------------------------------------
def zero_cost_proxy(name: str | None = None, needs_init: bool = True,
                    needs_data: bool = True) -> Callable[[Proxy], Proxy]:
    """Register ``proxy(model, batch)`` under ``name`` (default: the function's name).

    ``needs_init=False`` says the score depends on the architecture only (params, flops): it is computed once
    instead of averaged over init seeds. ``needs_data=False`` says it reads only the batch's shape (synflow too),
    so it runs where no dataset is at hand."""
    def register(fn: Proxy) -> Proxy:
        fn.needs_init, fn.needs_data = needs_init, needs_data
        return ZERO_COST.register_module(name=name or fn.__name__, module=fn)
    return register


def list_proxies() -> list[str]:
    """Registered proxy names, in registration order (the architecture-only ones first)."""
    return list(ZERO_COST.module_dict)


def get_proxy(name: str) -> Proxy:
    if name not in ZERO_COST.module_dict:
        raise UnknownNameError(f'unknown zero-cost proxy {name!r}; known: {", ".join(list_proxies())}')
    return ZERO_COST.module_dict[name]


def data_proxies(names: Iterable[str]) -> list[str]:
    """Those of ``names`` that read a real minibatch, not only its shape."""
    return [n for n in names if get_proxy(n).needs_data]


# --- helpers ---------------------------------------------------------------------------------------------------
def _weights(model: nn.Module) -> list[nn.Parameter]:
    return [m.weight for m in model.modules() if isinstance(m, WEIGHT_LAYERS) and m.weight.requires_grad]


def _loss(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    model.train()
    return F.cross_entropy(model(batch.inputs), batch.targets)


def _grads(model: nn.Module, batch: Minibatch) -> list[torch.Tensor]:
    """dL/dW of every weight (zeros for a weight the loss does not reach)."""
    weights = _weights(model)
    grads = torch.autograd.grad(_loss(model, batch), weights, allow_unused=True)
    return [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads)]


def _total(terms: Iterable[torch.Tensor]) -> torch.Tensor:
    return torch.stack(list(terms)).sum()


# --- the proxies -----------------------------------------------------------------------------------------------
@zero_cost_proxy(needs_init=False, needs_data=False)
def params(model: nn.Module, batch: Minibatch) -> float:
    """Number of trainable parameters."""
    return float(sum(p.numel() for p in model.parameters() if p.requires_grad))


@zero_cost_proxy(needs_init=False, needs_data=False)
def flops(model: nn.Module, batch: Minibatch) -> float:
    """Multiply-accumulates (conv + linear) of one image at the batch's size, counted by mmengine.analysis
    (:func:`pinas.complexity.measure_complexity`, which traces on the host: a model elsewhere is laid out there
    anew, without copying its values)."""
    on_host = next(model.parameters()).device.type == 'cpu'
    host_model = model if on_host else copy.deepcopy(model).to_empty(device='cpu')  # counts need no values
    return float(measure_complexity(host_model, tuple(batch.inputs.shape[-2:]), batch.inputs.shape[1]).macs)


@zero_cost_proxy()
def grad_norm(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    """Sum over weight tensors of the Euclidean norm of dL/dW."""
    return _total(g.norm() for g in _grads(model, batch))


@zero_cost_proxy()
def snip(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    """Connection sensitivity (Lee et al. 2019): sum over weights of |dL/dW * W|."""
    return _total((g * w).abs().sum() for g, w in zip(_grads(model, batch), _weights(model)))


@zero_cost_proxy()
def grasp(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    """Gradient signal preservation (Wang et al. 2020): -sum over weights of (H g) * W, with the Hessian-gradient
    product H g from a second backward pass through g . dL/dW (g held constant)."""
    weights = _weights(model)
    grads = torch.autograd.grad(_loss(model, batch), weights, create_graph=True, allow_unused=True)
    used = [(w, g) for w, g in zip(weights, grads) if g is not None]
    inner = _total((g.detach() * g).sum() for _, g in used)
    hessian_grads = torch.autograd.grad(inner, [w for w, _ in used], allow_unused=True)
    return -_total((h * w).sum() for (w, _), h in zip(used, hessian_grads) if h is not None)


@zero_cost_proxy()
def fisher(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    """Fisher information of the channels (Theis et al. 2018): for the output a of every conv and linear layer,
    0.5 * (sum over positions of a * dL/da)^2 per channel, averaged over the batch and summed over channels."""
    terms: list[torch.Tensor] = []

    def watch(module, inputs, output):
        activation, version = output.detach(), output._version

        def on_grad(grad):
            if output._version != version:  # the stored activation would hold the later, in-place result
                raise RuntimeError(f'fisher: the output of {type(module).__name__} is modified in place later in the '
                                   f'forward pass; make that operation out of place')
            per_channel = (activation * grad).reshape(*grad.shape[:2], -1).sum(-1)
            terms.append(0.5 * per_channel.pow(2).mean(0).sum())
        output.register_hook(on_grad)

    handles = [m.register_forward_hook(watch) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)]
    try:
        _loss(model, batch).backward()
    finally:
        for handle in handles:
            handle.remove()
    return _total(terms)


@zero_cost_proxy(needs_data=False)
def synflow(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    """Synaptic flow (Tanaka et al. 2020), data-free: absolute weights, BN in eval mode (the identity at init),
    double precision, an input of ones; R = sum of the output; sum over weights of dR/dW * W."""
    model.eval().double()
    with torch.no_grad():
        for p in model.parameters():
            p.abs_()
    device = next(model.parameters()).device
    ones = torch.ones(1, *batch.inputs.shape[1:], dtype=torch.float64, device=device)
    weights = _weights(model)
    grads = torch.autograd.grad(model(ones).sum(), weights, allow_unused=True)
    return _total((g * w).sum() for g, w in zip(grads, weights) if g is not None)


@zero_cost_proxy()
def jacov(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    """Jacobian covariance (Mellor et al. 2020, v1): J = d(sum of outputs)/dx per input, C the correlation matrix of
    the rows of J (R R^T for the centred, unit-norm rows R), score -sum(log(l + k) + 1/(l + k)) over its
    eigenvalues l (clamped at 0: C is PSD, negatives are rounding)."""
    model.train()
    inputs = batch.inputs.detach().clone().requires_grad_(True)
    jacobian, = torch.autograd.grad(model(inputs).sum(), inputs)
    rows = jacobian.reshape(len(jacobian), -1).double()
    rows = rows - rows.mean(1, keepdim=True)
    rows = rows / rows.norm(dim=1, keepdim=True).clamp(min=torch.finfo(rows.dtype).tiny)  # a flat row stays 0
    eig = torch.linalg.eigvalsh(rows @ rows.T).clamp(min=0) + JACOV_K
    return -(eig.log() + eig.reciprocal()).sum()


@zero_cost_proxy()
def naswot(model: nn.Module, batch: Minibatch) -> torch.Tensor:
    """NAS without training (Mellor et al. 2021): the binary code of every ReLU unit per input; K[i, j] = number of
    units on which inputs i and j agree (N_A minus their Hamming distance); score log|det K|."""
    n = len(batch.inputs)
    kernel = torch.zeros(n, n, dtype=torch.float64, device=batch.inputs.device)

    def record(module, inputs, output):
        code = (output.detach() > 0).reshape(n, -1).double()
        kernel.add_(code @ code.T + (1 - code) @ (1 - code).T)

    handles = [m.register_forward_hook(record) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        model.train()
        with torch.no_grad():
            model(batch.inputs)
    finally:
        for handle in handles:
            handle.remove()
    return torch.linalg.slogdet(kernel).logabsdet


# --- scoring architectures -------------------------------------------------------------------------------------
def score_architecture(space: SpaceLike, arch: ArchLike, proxies: Sequence[str], batch: Minibatch,
                       num_classes: int, init_seeds: Sequence[int] = DEFAULT_INIT_SEEDS) -> dict[str, float]:
    """Every proxy's score of ``arch``'s stand-alone network, built on the batch's device.

    The network is initialised under ``torch.manual_seed(seed)`` for each init seed (on the host, so the weights do
    not depend on the device); init-dependent proxies are averaged over the seeds, ignoring non-finite values (NaN
    when every seed gives one); architecture-only proxies use the first seed's network.
    """
    space = build_space(space)
    fns = {name: get_proxy(name) for name in proxies}
    values: dict[str, list[float]] = {name: [] for name in proxies}
    seeds = list(init_seeds) if any(fn.needs_init for fn in fns.values()) else list(init_seeds)[:1]
    for i, seed in enumerate(seeds):
        torch.manual_seed(seed)
        model = build_standalone(space, arch, num_classes).to(batch.inputs.device)
        users = [name for name, fn in fns.items() if fn.needs_init or i == 0]
        for j, name in enumerate(users):  # each gets its own network; the last one the original
            net = model if j == len(users) - 1 else copy.deepcopy(model)
            values[name].append(_as_float(fns[name](net, batch)))
    return {name: _finite_mean(v) for name, v in values.items()}


def score_architectures(space: SpaceLike, archs: Sequence[ArchLike], proxies: Sequence[str], batch: Minibatch,
                        num_classes: int, init_seeds: Sequence[int] = DEFAULT_INIT_SEEDS,
                        log: Callable[[str], None] | None = print, log_every: int = 10) -> dict[str, dict[str, float]]:
    """``{proxy: {code: score}}`` over ``archs`` (codes written by ``space.format``), with progress on ``log``."""
    space = build_space(space)
    for name in proxies:
        get_proxy(name)  # an unknown name fails before any work
    scores: dict[str, dict[str, float]] = {name: {} for name in proxies}
    start = time.perf_counter()
    for i, arch in enumerate(archs, 1):
        code = space.format(arch)
        for name, value in score_architecture(space, arch, proxies, batch, num_classes, init_seeds).items():
            scores[name][code] = value
        if log is not None and (i % log_every == 0 or i == len(archs)):
            elapsed = time.perf_counter() - start
            log(f'[{i}/{len(archs)}] {elapsed:.0f} s, {elapsed / i:.2f} s per architecture')
    return scores


def _as_float(value: 'float | torch.Tensor') -> float:
    return float(value.detach()) if isinstance(value, torch.Tensor) else float(value)


def _finite_mean(values: Sequence[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


__all__ = ['Minibatch', 'fixed_minibatch', 'shape_batch', 'zero_cost_proxy', 'list_proxies', 'get_proxy',
           'data_proxies', 'score_architecture', 'score_architectures', 'ranked_rows', 'DEFAULT_INIT_SEEDS',
           'params', 'flops', 'grad_norm', 'snip', 'grasp', 'fisher', 'synflow', 'jacov', 'naswot']
