"""Candidates enhancement + progressive training (CEPT): the CVPR 2021 Track-1 winner as an mmengine model.

One model class, four steps (ranking.md A4); each step's config starts from the previous step's checkpoint
(``init_from``), whose weights :meth:`CEPTSupernet.load_previous_step` turns into this step's:

1. train the max path alone with CE (projection shortcuts, ReLU after the add, as the winner's step 1);
2. fully shared enhanced supernet (PReLU, 4/8 -> 5/9): per batch the max path with CE, then ``num_paths``
   uniformly sampled paths with ``(1 - c) * CE + c * soft-CE`` against the detached max-path softmax, one
   optimizer step, then "max-recover": of ``look_num`` paths scored before the step, those whose distillation loss
   rose are back-propagated and a second step is taken (at most ``max_recover`` of them);
3. the shared weights copied into 4 narrow branches per layer; sampled paths run through the branches and distil
   from the max path through the shared weights (frozen with ``fix_pretrain``: the teacher gets no backward);
4. as 3 with finer branches (one per width step), each copied from its step-3 parent.

The defaults of :data:`STEP_DEFAULTS` are the winner's settings; a config may override any of them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper

from ..arch import Arch, ArchLike
from ..models.inherit import CheckpointMismatchError, load_checked, unwrap_state_dict
from ..models.track1_supernet import Track1Supernet, supernet_layout
from ..registry import MODELS
from ..spaces import SpaceLike, build_space
from ..utils.checkpoint import allow_mmengine_checkpoints, resolve_checkpoint
from .sampling import PathSampler

STEP_MODES = {1: 'shared', 2: 'shared', 3: 'narrow', 4: 'fine'}
# The winner's settings per step (scripts and log Namespace lines, ranking.md A4).
STEP_DEFAULTS: dict[int, dict[str, Any]] = {
    1: dict(post_add_act='relu'),
    2: dict(post_add_act='prelu', num_paths=8, distill_coeff=0.8, look_num=5, max_recover=5, train_max_path=True),
    3: dict(post_add_act='prelu', num_paths=8, distill_coeff=1.0, fix_pretrain=True),
    4: dict(post_add_act='prelu', num_paths=8, distill_coeff=1.0, fix_pretrain=True),
}
_STEP_OPTIONS = ('num_paths', 'distill_coeff', 'look_num', 'max_recover', 'fix_pretrain', 'train_max_path')
_SUPERNET_PREFIX = 'supernet.'


@MODELS.register_module()
class CEPTSupernet(BaseModel):
    """One step of CEPT training over a Track-1 space.

    Args:
        step: 1-4 (see the module doc).
        space: the Track-1 space (preset name, config dict or space).
        num_paths: sampled paths per batch (steps 2-4).
        distill_coeff: weight ``c`` of the soft-CE term, ``1 - c`` goes to CE (steps 2-4).
        look_num / max_recover: max-recover settings (step 2).
        fix_pretrain: steps 3-4: the teacher (shared weights) gets no gradient.
        train_max_path: step 2: train the max path (the teacher) on every batch. ``False`` with
            ``distill_coeff=0``, ``look_num=0``, ``num_paths=1`` is plain SPOS on the same supernet: the baseline of
            configs/search/spos_track1_embedded.py.
        temperature: distillation temperature (applied to teacher and student logits).
        width_remap / post_add_act / branch_counts: passed to :class:`Track1Supernet`.
        init_from: checkpoint (path or state dict) of the previous step, loaded by :meth:`init_weights`.
        eval_arch: architecture that ``val_step``/``test_step`` run (default: the max path).
        seed: seed of the path sampler; paths are drawn on rank 0 and broadcast, so every rank trains the same.
    """

    def __init__(self, step: int, space: SpaceLike = 'track1_resnet20',
                 num_paths: int | None = None, distill_coeff: float | None = None, look_num: int | None = None,
                 max_recover: int | None = None, fix_pretrain: bool | None = None,
                 train_max_path: bool | None = None, temperature: float = 1.0,
                 width_remap: Mapping | Sequence | None = None, post_add_act: str | None = None,
                 branch_counts: Sequence[int] | None = None, init_from: str | Path | Mapping | None = None,
                 eval_arch: ArchLike | None = None, seed: int = 0,
                 data_preprocessor: dict | None = None, init_cfg: dict | None = None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if step not in STEP_MODES:
            raise ValueError(f'CEPT step must be one of {sorted(STEP_MODES)}, got {step!r}')
        self.step = step
        self.space = build_space(space)
        options = _step_options(step, dict(num_paths=num_paths, distill_coeff=distill_coeff, look_num=look_num,
                                           max_recover=max_recover, fix_pretrain=fix_pretrain,
                                           train_max_path=train_max_path))
        self.num_paths = options.get('num_paths', 0)
        self.distill_coeff = options.get('distill_coeff', 0.0)
        self.look_num = options.get('look_num', 0)
        self.max_recover = options.get('max_recover', 0)
        self.fix_pretrain = options.get('fix_pretrain', False)
        self.train_max_path = options.get('train_max_path', True)
        self.temperature = float(temperature)
        self.width_remap = width_remap
        self.supernet = Track1Supernet(self.space, mode=STEP_MODES[step], branch_counts=branch_counts,
                                       width_remap=width_remap,
                                       post_add_act=post_add_act or STEP_DEFAULTS[step]['post_add_act'])
        self.init_from = init_from
        self.eval_arch = self.space.max_arch() if eval_arch is None else self.space.parse(eval_arch)
        self.sampler = PathSampler(self.space.cardinalities, seed=seed)

    # --- mmengine interface ------------------------------------------------------------------------------------
    def init_weights(self):
        """mmengine's init, then the previous step's weights when ``init_from`` is set."""
        super().init_weights()
        if self.init_from is not None:
            self.load_previous_step(self.init_from)

    def forward(self, inputs: torch.Tensor, data_samples: Any = None, mode: str = 'tensor',
                arch: ArchLike | None = None, use_branches: bool | None = None):
        """``tensor``: logits of ``arch`` (default ``eval_arch``); ``predict``: one dict per sample with
        ``logits``, ``pred_label`` and ``gt_label``; ``loss``: ``dict(loss=CE)`` of that path (eval mode only:
        training goes through :meth:`train_step`)."""
        if mode not in ('tensor', 'predict', 'loss'):
            raise ValueError(f"forward mode must be 'tensor', 'predict' or 'loss', got {mode!r}")
        if mode == 'loss' and self.training:
            raise RuntimeError(
                "CEPTSupernet trains through train_step (several paths and optimizer steps per batch), not "
                "forward(mode='loss'); under distributed training use a wrapper that calls module.train_step, "
                "e.g. model_wrapper_cfg=dict(type='MMSeparateDistributedDataParallel', find_unused_parameters=True)")
        inputs = _stack_inputs(inputs)
        arch = self.eval_arch if arch is None else self.space.parse(arch)
        logits = self.supernet(inputs, arch, use_branches)
        if mode == 'tensor':
            return logits
        if mode == 'predict' and data_samples is None:
            return _per_sample(logits, None)
        labels = _labels(data_samples, len(inputs), inputs.device)
        return _per_sample(logits, labels) if mode == 'predict' else dict(loss=F.cross_entropy(logits, labels))

    def train_step(self, data: Mapping, optim_wrapper: OptimWrapper) -> dict[str, float]:
        """One CEPT iteration of this step on ``data = dict(inputs=[B,3,H,W], data_samples=[B] labels)``."""
        data = self.data_preprocessor(data, True)
        if not isinstance(data, Mapping) or 'inputs' not in data:
            raise TypeError("CEPTSupernet.train_step needs data=dict(inputs=images, data_samples=labels), got "
                            f'{type(data).__name__}')
        inputs = _stack_inputs(data['inputs'])
        labels = _labels(data.get('data_samples'), len(inputs), inputs.device)
        optim_wrapper.zero_grad()
        if self.step == 1:
            return self._train_max_path(inputs, labels, optim_wrapper)
        return self._train_paths(inputs, labels, optim_wrapper)

    def set_arch(self, arch: ArchLike) -> Arch:
        """Choose the path ``val_step``/``test_step`` evaluate (e.g. after recalibrating its BN)."""
        self.eval_arch = self.space.parse(arch)
        return self.eval_arch

    # --- training steps ----------------------------------------------------------------------------------------
    def _train_max_path(self, inputs, labels, optim_wrapper) -> dict[str, float]:
        with optim_wrapper.optim_context(self):
            logits = self.supernet(inputs, self.space.max_arch(), False)
        loss = F.cross_entropy(logits, labels)
        optim_wrapper.update_params(loss)
        return dict(loss_max=loss.item(), acc_max=_top1(logits, labels))

    def _train_paths(self, inputs, labels, optim_wrapper) -> dict[str, float]:
        """Sampled paths distilled from the max path; without ``train_max_path``, plain SPOS (CE only)."""
        log, soft = {}, None
        if self.train_max_path:
            teacher_logits, loss_max = self._teacher(inputs, labels, optim_wrapper)
            soft = F.softmax(teacher_logits.detach().float() / self.temperature, dim=1)
            log.update(loss_max=loss_max.item(), acc_max=_top1(teacher_logits, labels))
        recover = self.step == 2 and soft is not None
        look_archs, look_before = self._look(inputs, soft) if recover else ([], [])
        path_losses, path_accs = [], []
        for _ in range(self.num_paths):
            with optim_wrapper.optim_context(self):
                logits = self.supernet(inputs, self.sample_arch(), self.supernet.has_branches)
            loss = F.cross_entropy(logits, labels)
            if soft is not None:
                loss = (1 - self.distill_coeff) * loss + self.distill_coeff * self._soft_ce(logits, soft)
            optim_wrapper.backward(loss)
            path_losses.append(loss.item())
            path_accs.append(_top1(logits, labels))
        optim_wrapper.step()
        optim_wrapper.zero_grad()
        log.update(loss_paths=_mean(path_losses), acc_paths=_mean(path_accs))
        if recover:
            log['recovered'] = float(self.max_recover_step(inputs, soft, look_archs, look_before, optim_wrapper))
        return log

    def _teacher(self, inputs, labels, optim_wrapper):
        """Max path through the shared weights; back-propagated unless the teacher is fixed (steps 3-4)."""
        train_teacher = not self.fix_pretrain
        with optim_wrapper.optim_context(self), torch.set_grad_enabled(train_teacher):
            logits = self.supernet(inputs, self.space.max_arch(), False)
        loss = F.cross_entropy(logits, labels)
        if train_teacher:
            optim_wrapper.backward(loss)
        return logits, loss

    @torch.no_grad()
    def _look(self, inputs, soft) -> tuple[list[Arch], list[float]]:
        """Paths whose distillation loss max-recover watches across the optimizer step, and their losses."""
        archs = [self.sample_arch() for _ in range(self.look_num)]
        return archs, [self._soft_ce(self.supernet(inputs, a, False), soft).item() for a in archs]

    def max_recover_step(self, inputs, soft, archs: Sequence[Arch], before: Sequence[float],
                         optim_wrapper: OptimWrapper) -> int:
        """Back-propagate the watched paths whose loss rose (at most ``max_recover``) and step once more.

        Returns how many paths were recovered."""
        recovered = 0
        for arch, loss_before in zip(archs, before):
            if recovered >= self.max_recover:
                break
            with torch.no_grad():
                rose = self._soft_ce(self.supernet(inputs, arch, False), soft).item() > loss_before
            if rose:  # forward again with a graph: every graph-building forward gets its backward (DDP-safe)
                with optim_wrapper.optim_context(self):
                    loss = self._soft_ce(self.supernet(inputs, arch, False), soft)
                optim_wrapper.backward(loss)
                recovered += 1
        if recovered:
            optim_wrapper.step()
        optim_wrapper.zero_grad()
        return recovered

    def _soft_ce(self, logits: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
        return -(soft * F.log_softmax(logits.float() / self.temperature, dim=1)).sum(1).mean()

    def sample_arch(self) -> Arch:
        """A uniformly sampled path, the same on every rank."""
        path, = self.sampler.uniform(1)
        return path

    # --- weight transfer between steps -------------------------------------------------------------------------
    def load_previous_step(self, checkpoint: str | Path | Mapping) -> None:
        """Build this step's weights from the previous step's checkpoint (a path or a state dict).

        Step 2 takes the max path of step 1 (the PReLU slopes start at their init, as in the winner's code);
        step 3 copies the shared weights into the narrow branches; step 4 copies each step-3 branch into its finer
        branches. Any coarser-or-equal sharing is accepted (e.g. step 4 straight from step 2).
        """
        if self.step == 1:
            raise ValueError('CEPT step 1 trains from scratch and has no previous step; remove init_from')
        state_dict = _supernet_state_dict(checkpoint)
        layout = supernet_layout(state_dict, self.space)
        previous = Track1Supernet(self.space, branch_counts=layout['branch_counts'], width_remap=self.width_remap,
                                  post_add_act=layout['post_add_act'])
        source = checkpoint if isinstance(checkpoint, (str, Path)) else 'state dict'
        try:
            load_checked(previous, state_dict, source='checkpoint')
        except CheckpointMismatchError as err:
            raise CheckpointMismatchError(
                f'previous-step checkpoint ({source}) does not hold a CEPT supernet of space {self.space.name} '
                f'(depths {self.space.depths}, widths up to {self.space.max_widths}); was it trained with the '
                f'same space config?\n{err}') from None
        try:
            self.supernet.inherit_from(previous)
        except ValueError as err:
            raise CheckpointMismatchError(
                f'cannot build CEPT step {self.step} (branches {self.supernet.branch_counts}) from {source} '
                f'(branches {layout["branch_counts"]}): {err}. Pass the checkpoint of step {self.step - 1}.') from err
        print_log(f'CEPT step {self.step}: weights built from {source} (branches {layout["branch_counts"]}, '
                  f'{layout["post_add_act"]}) -> branches {self.supernet.branch_counts}', logger='current')


# --- helpers ---------------------------------------------------------------------------------------------------
def _step_options(step: int, given: dict[str, Any]) -> dict[str, Any]:
    """This step's options: the winner's defaults, overridden by the given ones; an option the step does not use
    is an error rather than silently ignored."""
    defaults = STEP_DEFAULTS[step]
    unused = [k for k, v in given.items() if v is not None and k not in defaults]
    if unused:
        users = {k: [s for s, d in STEP_DEFAULTS.items() if k in d] for k in unused}
        raise ValueError(f'CEPT step {step} does not use {unused}; they belong to steps {users}')
    options = {k: defaults[k] for k in _STEP_OPTIONS if k in defaults}
    options.update({k: v for k, v in given.items() if v is not None})
    if options.get('num_paths', 1) < 1 or options.get('look_num', 0) < 0 or options.get('max_recover', 0) < 0:
        raise ValueError(f'CEPT step {step}: num_paths must be >= 1 and look_num/max_recover >= 0, got {options}')
    if not options.get('train_max_path', True) and (options['distill_coeff'] or options['look_num']):
        raise ValueError(f'CEPT step {step}: train_max_path=False leaves no teacher; it needs distill_coeff=0 and '
                         f'look_num=0 (max-recover watches the distillation loss), got {options}')
    if not 0.0 <= options.get('distill_coeff', 0.0) <= 1.0:
        raise ValueError(f'CEPT step {step}: distill_coeff must lie in [0, 1], got {options["distill_coeff"]}')
    return options


def _supernet_state_dict(checkpoint: str | Path | Mapping) -> dict[str, torch.Tensor]:
    """The supernet weights inside an mmengine checkpoint (``state_dict`` with ``supernet.`` keys) or a state dict."""
    if isinstance(checkpoint, (str, Path)):
        checkpoint = _load_file(Path(checkpoint))
    state_dict = {k[len('module.'):] if k.startswith('module.') else k: v
                  for k, v in unwrap_state_dict(checkpoint).items()}
    if any(k.startswith(_SUPERNET_PREFIX) for k in state_dict):
        return {k[len(_SUPERNET_PREFIX):]: v for k, v in state_dict.items() if k.startswith(_SUPERNET_PREFIX)}
    return {k: v for k, v in state_dict.items() if not k.startswith('data_preprocessor.')}


def _load_file(path: Path) -> Mapping:
    try:
        path = resolve_checkpoint(path)
    except FileNotFoundError as err:
        raise FileNotFoundError(f'previous-step checkpoint: {err}; pass the .pth file or the work dir written by '
                                'the previous CEPT step') from None
    allow_mmengine_checkpoints()
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # torch raises a bare UnpicklingError for objects outside its allow-list
        raise RuntimeError(
            f'cannot read {path} with torch.load(weights_only=True): {str(err).splitlines()[0]}. Only '
            'mmengine checkpoints (weights plus mmengine logging state) are read; pass the loaded '
            "checkpoint['state_dict'] if the file holds other objects.") from err


def _stack_inputs(inputs) -> torch.Tensor:
    if isinstance(inputs, torch.Tensor):
        if inputs.dim() != 4:
            raise ValueError(f'inputs must be a [B, C, H, W] image batch, got shape {tuple(inputs.shape)}')
        return inputs
    if isinstance(inputs, (list, tuple)) and inputs and all(isinstance(x, torch.Tensor) for x in inputs):
        return torch.stack(list(inputs))
    raise TypeError(f'inputs must be an image tensor [B, C, H, W] or a list of [C, H, W] tensors, got '
                    f'{type(inputs).__name__}')


def _labels(data_samples, batch_size: int, device: torch.device) -> torch.Tensor:
    """Class indices on ``device`` from ``data_samples``: a LongTensor [B] or a list of ints / 0-d tensors."""
    if data_samples is None:
        raise ValueError('training needs labels: pass data=dict(inputs=..., data_samples=LongTensor[B])')
    labels = data_samples if isinstance(data_samples, torch.Tensor) else torch.as_tensor(
        [int(x) for x in data_samples])
    labels = labels.reshape(-1)
    if labels.numel() != batch_size or labels.is_floating_point():
        raise ValueError(f'data_samples must hold {batch_size} integer class labels, got {labels.dtype} '
                         f'with {labels.numel()} entries')
    return labels.to(device=device, dtype=torch.long)


def _per_sample(logits: torch.Tensor, labels: torch.Tensor | None) -> list[dict[str, Any]]:
    logits = logits.detach().float().cpu()
    preds = logits.argmax(1)
    labels = None if labels is None else labels.cpu()
    return [dict(logits=logits[i], pred_label=int(preds[i]), gt_label=None if labels is None else int(labels[i]))
            for i in range(len(logits))]


def _top1(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return (logits.detach().argmax(1) == labels).float().mean().item() * 100.0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)
