"""Candidates enhancement + progressive training (CEPT): the CVPR 2021 Track-1 winner as an mmengine model.

One model class, four steps (arXiv 2108.05866), over the Track-1 supernet of ``backbone``. Each step's config
(configs/search/cept_step{1..4}_*.py, cept_embedded*.py) states the winner's settings of that step: the supernet's
enhancement (``width_remap``, ``post_add_act``) and branches (``mode``), and the options below. Each step starts
from the previous step's checkpoint (``init_from``), whose weights :meth:`CEPT.load_previous_step` turns
into this step's:

1. train the max path alone with CE (shared weights; projection shortcuts, ReLU after the add, as the winner's
   step 1);
2. fully shared enhanced supernet (PReLU, 4/8 -> 5/9): per batch the max path with CE, then ``num_paths``
   uniformly sampled paths with ``(1 - c) * CE + c * soft-CE`` against the detached max-path softmax, one
   optimizer step, then "max-recover": of ``look_num`` paths scored before the step, those whose distillation loss
   rose are back-propagated and a second step is taken (at most ``max_recover`` of them);
3. the shared weights copied into narrow branches per layer (``mode='narrow'``); sampled paths run through the
   branches and distil from the max path through the shared weights (frozen with ``fix_pretrain``: the teacher
   gets no backward);
4. as 3 with finer branches (``mode='fine'``), each copied from its step-3 parent.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper

from ..arch import Arch
from ..models.branches import supernet_layout
from ..models.inherit import CheckpointMismatchError, load_checked, read_supernet_state_dict
from ..registry import MODELS
from .base import FORWARD, FORWARD_BACKWARD, SupernetAlgorithm, class_labels, stack_images
from .distributed import mean_over_ranks

# The options each step reads (their values are in the step configs); any other option is refused unless it keeps
# its inactive default.
_READ_BY_STEP = {1: (), 2: ('num_paths', 'distill_coeff', 'temperature', 'look_num', 'max_recover'),
                 3: ('num_paths', 'distill_coeff', 'temperature', 'fix_pretrain'),
                 4: ('num_paths', 'distill_coeff', 'temperature', 'fix_pretrain')}
_BRANCHED_STEPS = (3, 4)


@MODELS.register_module()
class CEPT(SupernetAlgorithm):
    """One step of CEPT training over a Track-1 space.

    Args:
        backbone: the supernet, ``dict(type='Track1Supernet', space=..., width_remap=..., post_add_act=...,
            mode=...)``; steps 1-2 train a shared one, steps 3-4 one with branches.
        step: 1-4 (see the module doc).
        num_paths: sampled paths per batch (steps 2-4).
        distill_coeff: weight ``c`` of the soft-CE term, ``1 - c`` goes to CE (steps 2-4).
        temperature: distillation temperature, applied to teacher and student logits (steps 2-4).
        look_num / max_recover: max-recover settings (step 2).
        fix_pretrain: steps 3-4: the teacher (shared weights) gets no gradient.
        init_from: checkpoint (path, work dir or state dict) of the previous step, loaded by :meth:`init_weights`.
        num_classes: classifier outputs (default: the space's).
        **kwargs: ``seed``, ``eval_arch`` (default: the max path), ``data_preprocessor``, ``init_cfg`` (see
            :class:`~pinas.algorithms.base.SupernetAlgorithm`).
    """

    def __init__(self, backbone: Mapping[str, Any], step: int, num_paths: int = 1, distill_coeff: float = 0.0,
                 temperature: float = 1.0, look_num: int = 0, max_recover: int = 0, fix_pretrain: bool = False,
                 init_from: str | Path | Mapping | None = None, num_classes: int | None = None, **kwargs):
        if step not in _READ_BY_STEP:
            raise ValueError(f'CEPT step must be one of {sorted(_READ_BY_STEP)}, got {step!r}')
        _check_options(step, dict(num_paths=num_paths, distill_coeff=distill_coeff, temperature=temperature,
                                  look_num=look_num, max_recover=max_recover, fix_pretrain=fix_pretrain))
        super().__init__(backbone, num_classes=num_classes, **kwargs)
        self.step = step
        self.num_paths, self.distill_coeff, self.temperature = num_paths, distill_coeff, float(temperature)
        self.look_num, self.max_recover, self.fix_pretrain = look_num, max_recover, fix_pretrain
        self.init_from = init_from
        self._check_supernet()

    def _check_supernet(self) -> None:
        if not hasattr(self.bare_supernet, 'has_branches'):
            raise TypeError('CEPT trains a supernet with branches (Track1Supernet), got '
                            f'{type(self.bare_supernet).__name__}')
        branched = self.step in _BRANCHED_STEPS
        if self.bare_supernet.has_branches != branched:
            need = "mode='narrow' (step 3) or 'fine' (step 4)" if branched else "mode='shared'"
            raise ValueError(f'CEPT step {self.step} trains a supernet {"with" if branched else "without"} branches, '
                             f'got branch counts {self.bare_supernet.branch_counts}: set model.backbone {need}')

    # --- compute per batch -------------------------------------------------------------------------------------
    @property
    def passes_per_batch(self) -> int:
        """Network passes a training step of this step runs over its batch, at least (forward 1, forward +
        backward 3), as :meth:`train_step` runs them:

        * step 1: the max path, forward + backward (3);
        * steps 2-4: the max-path teacher (forward + backward; a forward alone with ``fix_pretrain``), then
          ``num_paths`` sampled paths, forward + backward each;
        * step 2 also runs max-recover: ``look_num`` forwards of the watched paths before the optimizer step, and
          after it one forward of each watched path until ``max_recover`` of them have been recovered, i.e.
          at least ``min(look_num, 4 max_recover)`` passes, more for each path whose loss rose (see
          :attr:`max_passes_per_batch`).

        The embedded and CIFAR-100 settings: step 1: 3; step 2: 3 + 5 + 8 x 3 + 5 = 37 (up to 52); steps 3-4:
        1 + 8 x 3 = 25.
        """
        if self.step == 1:
            return FORWARD_BACKWARD
        passes = self._distill_passes
        if self.step == 2:  # the watched paths before the step, then their second look (breaks at max_recover)
            passes += self.look_num * FORWARD + min(self.look_num, self.max_recover * (FORWARD + FORWARD_BACKWARD))
        return passes

    @property
    def max_passes_per_batch(self) -> int:
        """With every recoverable path recovered (step 2): each of ``min(max_recover, look_num)`` recovered paths
        adds a forward + backward to its second look, and every watched path gets its second look."""
        if self.step != 2:
            return self.passes_per_batch
        recovered = min(self.max_recover, self.look_num)
        return self._distill_passes + 2 * self.look_num * FORWARD + recovered * FORWARD_BACKWARD

    @property
    def _distill_passes(self) -> int:
        """Passes of steps 2-4 before max-recover: the max-path teacher, then the sampled paths."""
        return (FORWARD if self.fix_pretrain else FORWARD_BACKWARD) + self.num_paths * FORWARD_BACKWARD

    # --- mmengine interface ------------------------------------------------------------------------------------
    def init_weights(self):
        """mmengine's init, then the previous step's weights when ``init_from`` is set."""
        super().init_weights()
        if self.init_from is not None:
            self.load_previous_step(self.init_from)

    def loss(self, inputs, data_samples) -> dict:
        """``dict(loss=CE)`` of ``eval_arch``, in eval mode only: training goes through :meth:`train_step`."""
        if self.training:
            raise RuntimeError(
                "CEPT trains through train_step (several paths and optimizer steps per batch), not "
                "forward(mode='loss'); under distributed training use a wrapper that calls module.train_step, "
                "e.g. model_wrapper_cfg=dict(type='DeviceAwareSeparateDDP', find_unused_parameters=True)")
        inputs = stack_images(inputs)
        labels = class_labels(data_samples, len(inputs), inputs.device)
        return dict(loss=F.cross_entropy(self.supernet(inputs, self.eval_arch), labels))

    def train_step(self, data: Mapping, optim_wrapper: OptimWrapper) -> dict[str, float]:
        """One CEPT iteration of this step on ``data = dict(inputs=[B,3,H,W], data_samples=[B] labels)``."""
        data = self.data_preprocessor(data, True)
        if not isinstance(data, Mapping) or 'inputs' not in data:
            raise TypeError("CEPT.train_step needs data=dict(inputs=images, data_samples=labels), got "
                            f'{type(data).__name__}')
        inputs = stack_images(data['inputs'])
        labels = class_labels(data.get('data_samples'), len(inputs), inputs.device)
        optim_wrapper.zero_grad()
        if self.step == 1:
            return self._train_max_path(inputs, labels, optim_wrapper)
        return self._train_paths(inputs, labels, optim_wrapper)

    # --- training steps ----------------------------------------------------------------------------------------
    def _train_max_path(self, inputs, labels, optim_wrapper) -> dict[str, float]:
        with optim_wrapper.optim_context(self):
            logits = self.supernet(inputs, self.space.max_arch(), False)
        loss = F.cross_entropy(logits, labels)
        optim_wrapper.update_params(loss)
        return dict(loss_max=loss.item(), acc_max=_top1(logits, labels), passes=float(FORWARD_BACKWARD))

    def _train_paths(self, inputs, labels, optim_wrapper) -> dict[str, float]:
        """Sampled paths distilled from the max path (steps 2-4), then max-recover (step 2)."""
        teacher_logits, loss_max = self._teacher(inputs, labels, optim_wrapper)
        soft = F.softmax(teacher_logits.detach().float() / self.temperature, dim=1)
        log = dict(loss_max=loss_max.item(), acc_max=_top1(teacher_logits, labels))
        recover = self.step == 2
        look_archs, look_before = self._look(inputs, soft) if recover else ([], [])
        path_losses, path_accs = [], []
        for _ in range(self.num_paths):
            with optim_wrapper.optim_context(self):
                logits = self.supernet(inputs, self.sample_arch(), self.bare_supernet.has_branches)
            loss = (1 - self.distill_coeff) * F.cross_entropy(logits, labels) + \
                self.distill_coeff * self._soft_ce(logits, soft)
            optim_wrapper.backward(loss)
            path_losses.append(loss.item())
            path_accs.append(_top1(logits, labels))
        optim_wrapper.step()
        optim_wrapper.zero_grad()
        log.update(loss_paths=_mean(path_losses), acc_paths=_mean(path_accs))
        passes = self._distill_passes
        if recover:
            recovered, looks = self.max_recover_step(inputs, soft, look_archs, look_before, optim_wrapper)
            log['recovered'] = float(recovered)
            passes += self.look_num * FORWARD + looks * FORWARD + recovered * FORWARD_BACKWARD
        log['passes'] = float(passes)  # what this step ran: step 2's depends on the data (see passes_per_batch)
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
        return archs, [self._global_soft_ce(inputs, a, soft) for a in archs]

    def max_recover_step(self, inputs, soft, archs: Sequence[Arch], before: Sequence[float],
                         optim_wrapper: OptimWrapper) -> tuple[int, int]:
        """Back-propagate the watched paths whose loss rose (at most ``max_recover``) and step once more.

        Returns how many paths were recovered and how many second looks (forwards without a graph) it took."""
        recovered = looks = 0
        for arch, loss_before in zip(archs, before):
            if recovered >= self.max_recover:
                break
            looks += 1
            with torch.no_grad():
                rose = self._global_soft_ce(inputs, arch, soft) > loss_before
            if rose:  # forward again with a graph: every graph-building forward gets its backward (DDP-safe)
                with optim_wrapper.optim_context(self):
                    loss = self._soft_ce(self.supernet(inputs, arch, False), soft)
                optim_wrapper.backward(loss)
                recovered += 1
        if recovered:
            optim_wrapper.step()
        optim_wrapper.zero_grad()
        return recovered, looks

    def _global_soft_ce(self, inputs, arch: Arch, soft: torch.Tensor) -> float:
        """The distillation loss of ``arch`` over the whole batch of all ranks, so that every rank takes the same
        max-recover decision (a rank stepping alone would wait forever for the others' gradients)."""
        return mean_over_ranks(self._soft_ce(self.supernet(inputs, arch, False), soft)).item()

    def _soft_ce(self, logits: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
        return -(soft * F.log_softmax(logits.float() / self.temperature, dim=1)).sum(1).mean()

    # --- weight transfer between steps -------------------------------------------------------------------------
    def load_previous_step(self, checkpoint: str | Path | Mapping) -> None:
        """Build this step's weights from the previous step's checkpoint (a path or a state dict).

        Step 2 takes the max path of step 1 (the PReLU slopes start at their init, as in the winner's code);
        step 3 copies the shared weights into the narrow branches; step 4 copies each step-3 branch into its finer
        branches. Any coarser-or-equal sharing is accepted (e.g. step 4 straight from step 2).
        """
        if self.step == 1:
            raise ValueError('CEPT step 1 trains from scratch and has no previous step; remove init_from')
        try:
            state_dict = read_supernet_state_dict(checkpoint)
        except FileNotFoundError as err:
            raise FileNotFoundError(f'previous-step checkpoint: {err}; pass the .pth file or the work dir written by '
                                    'the previous CEPT step') from None
        layout = supernet_layout(state_dict, self.space)
        previous = type(self.bare_supernet)(self.space, branch_counts=layout['branch_counts'],
                                       width_remap=self.bare_supernet.width_remap, post_add_act=layout['post_add_act'],
                                       num_classes=self.bare_supernet.num_classes)
        source = checkpoint if isinstance(checkpoint, (str, Path)) else 'state dict'
        try:
            load_checked(previous, state_dict, source='checkpoint')
        except CheckpointMismatchError as err:
            raise CheckpointMismatchError(
                f'previous-step checkpoint ({source}) does not hold a CEPT supernet of space {self.space.name} '
                f'(depths {self.space.depths}, widths up to {self.space.max_widths}); was it trained with the '
                f'same space config?\n{err}') from None
        try:
            self.bare_supernet.inherit_from(previous)
        except ValueError as err:
            raise CheckpointMismatchError(
                f'cannot build CEPT step {self.step} (branches {self.bare_supernet.branch_counts}) from {source} '
                f'(branches {layout["branch_counts"]}): {err}. Pass the checkpoint of step {self.step - 1}.') from err
        print_log(f'CEPT step {self.step}: weights built from {source} (branches {layout["branch_counts"]}, '
                  f'{layout["post_add_act"]}) -> branches {self.bare_supernet.branch_counts}', logger='current')


# --- helpers ---------------------------------------------------------------------------------------------------
# The inactive defaults of the signature.
_OPTION_DEFAULTS = {name: p.default for name, p in inspect.signature(CEPT.__init__).parameters.items()
                    if any(name in used for used in _READ_BY_STEP.values())}


def _check_options(step: int, options: dict[str, Any]) -> None:
    """Refuse an option the step does not use (unless it keeps its default) and out-of-range values."""
    unused = [k for k, v in options.items() if k not in _READ_BY_STEP[step] and v != _OPTION_DEFAULTS[k]]
    if unused:
        users = {k: [s for s, used in _READ_BY_STEP.items() if k in used] for k in unused}
        raise ValueError(f'CEPT step {step} does not use {unused}; they belong to steps {users}')
    if options['num_paths'] < 1 or options['look_num'] < 0 or options['max_recover'] < 0:
        raise ValueError(f'CEPT step {step}: num_paths must be >= 1 and look_num/max_recover >= 0, got {options}')
    if not 0.0 <= options['distill_coeff'] <= 1.0:
        raise ValueError(f'CEPT step {step}: distill_coeff must lie in [0, 1], got {options["distill_coeff"]}')
    if options['temperature'] <= 0:
        raise ValueError(f'CEPT step {step}: temperature must be positive, got {options["temperature"]}')


def _top1(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return (logits.detach().argmax(1) == labels).float().mean().item() * 100.0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)
