"""Pi-NAS: unsupervised supernet training with cross-path learning and a per-path mean teacher (ICCV 2021).

One step, as in the official code (github.com/Ernie1/Pi-NAS, OpenSelfSup/openselfsup/models/pinas.py):

1. draw two paths A, B that differ at every position (same on all ranks);
2. query A from view 0 through the student; EMA-update the teacher on path A's modules; key A from view 1 through
   the teacher (ShuffleBN across ranks);
3. the same for B with views 2 and 3;
4. loss = InfoNCE(q_A, k_B) + InfoNCE(q_B, k_A) against the queue (cross-path positives);
5. enqueue (k_A + k_B) / 2, unnormalised as in the official code.

The optimizer wrapper (:class:`pinas.engine.SupernetOptimWrapper`) then skips parameters with all-zero gradients,
so unsampled candidates get no weight-decay or momentum step.

Ablation switches: ``cross_path`` (False: q_A with k_A), ``num_paths`` (1: single path, two views),
``teacher_update`` ('path': only the sampled path's modules; 'all': the whole network), ``use_queue`` (False:
in-batch negatives instead of the queue), ``same_neck_width`` (a channel-width space: A and B share the width of
the last position, so a positive pair never matches features of different widths zero-padded into the neck).
"""
from __future__ import annotations

import copy
from typing import Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ..arch import Arch
from ..models import pad_channels
from ..registry import MODELS
from .base import FORWARD, FORWARD_BACKWARD, SupernetAlgorithm
from .distributed import concat_all_gather, shuffle_across_ranks, unshuffle_across_ranks


class MLPNeck(nn.Module):
    """Projection: global pool, Linear, ReLU, Linear, kaiming fan-in init, zero bias.

    ``norm=False`` is MoCo v2's (no BN), as in the official code. ``norm=True`` adds BN after both Linears (the
    last one without affine, as in MoCo v3 / SimCLR v2): it centres the embeddings over the batch, which keeps
    them from collapsing into the narrow cone that the pooled post-ReLU features (all positive) start in.
    Paths of a channel-width space (Track-1) end in fewer than ``in_channels`` channels: they are zero-padded
    (:func:`~pinas.models.pad_channels`), which is the same as slicing the first layer's input columns.
    """

    def __init__(self, in_channels: int, hidden_channels: int = 2048, out_channels: int = 128, norm: bool = False):
        super().__init__()
        self.in_channels = in_channels
        self.pool = nn.AdaptiveAvgPool2d(1)
        hidden = [nn.Linear(in_channels, hidden_channels), nn.BatchNorm1d(hidden_channels)] if norm else \
            [nn.Linear(in_channels, hidden_channels)]
        out = [nn.Linear(hidden_channels, out_channels), nn.BatchNorm1d(out_channels, affine=False)] if norm else \
            [nn.Linear(hidden_channels, out_channels)]
        self.mlp = nn.Sequential(*hidden, nn.ReLU(inplace=True), *out)
        for m in self.mlp:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='relu')
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(pad_channels(self.pool(x).flatten(1), self.in_channels))


@MODELS.register_module()
class PiNAS(SupernetAlgorithm):
    """Pi-NAS supernet training (see the module docstring)."""

    def __init__(self, backbone: Mapping, neck: Mapping = dict(hidden_channels=2048, out_channels=128),
                 queue_len: int = 49152, temperature: float = 0.2, momentum: float = 0.999,
                 cross_path: bool = True, num_paths: int = 2, teacher_update: str = 'path',
                 use_queue: bool = True, same_neck_width: bool = False, **kwargs):
        super().__init__(backbone, num_classes=0, **kwargs)
        if num_paths not in (1, 2):
            raise ValueError(f'num_paths must be 1 (single-path ablation) or 2 (Pi-NAS), got {num_paths}')
        if teacher_update not in ('path', 'all'):
            raise ValueError(f"teacher_update must be 'path' or 'all', got {teacher_update!r}")
        self.neck = MLPNeck(self.bare_supernet.num_features, **neck)
        self.teacher = nn.ModuleDict(dict(supernet=copy.deepcopy(self.supernet), neck=copy.deepcopy(self.neck)))
        for p in self.teacher.parameters():
            p.requires_grad = False
        self.temperature, self.momentum = temperature, momentum
        self.cross_path, self.num_paths = cross_path, num_paths
        self.teacher_update, self.use_queue = teacher_update, use_queue
        self.shared_positions = self._neck_width_position() if same_neck_width else ()
        dim = neck.get('out_channels', 128)
        self.register_buffer('queue', F.normalize(torch.randn(dim, queue_len), dim=0))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))
        self.last_paths: list[Arch] = []

    def _neck_width_position(self) -> tuple[int]:
        """The position whose width is the neck's input width (the last one the network reads)."""
        space = self.bare_supernet.space
        if self.num_paths != 2 or not hasattr(space, 'num_used_positions'):
            raise ValueError(f'same_neck_width needs two paths (num_paths=2) on a channel-width space whose paths '
                             f'end in different widths (Track-1); {type(space).__name__} with num_paths='
                             f'{self.num_paths} has none to share: drop same_neck_width')
        return (space.num_used_positions - 1,)

    @property
    def passes_per_batch(self) -> int:
        """Per path: the student's query (forward + backward, 3) and the teacher's key (forward, 1); with
        ``num_paths=2``: 2 x (3 + 1) = 8. Each pass runs over one view of the batch."""
        return self.num_paths * (FORWARD_BACKWARD + FORWARD)

    def init_weights(self):
        super().init_weights()
        self.copy_student_to_teacher()

    @torch.no_grad()
    def copy_student_to_teacher(self):
        for t, s in zip(self.teacher.parameters(), self._student_params()):
            t.copy_(s)

    def _student_params(self):
        yield from self.bare_supernet.parameters()
        yield from self.neck.parameters()

    # --- teacher -----------------------------------------------------------------------------------------------
    def _teacher_pairs(self, path: Arch) -> list[tuple[nn.Module, nn.Module]]:
        teacher_net, teacher_neck = self.teacher['supernet'], self.teacher['neck']
        if self.teacher_update == 'all':
            return [(teacher_net, self.supernet), (teacher_neck, self.neck)]
        return list(zip(teacher_net.path_modules(path), self.bare_supernet.path_modules(path))) + \
            [(teacher_neck, self.neck)]

    @torch.no_grad()
    def momentum_update(self, path: Arch) -> None:
        """EMA of parameters (not BN buffers) of the modules on ``path``: stem, chosen blocks with their shortcut,
        neck. Shared modules are visited once per path, hence twice per step, as in the official code."""
        pairs = [(t, s.detach()) for teacher, student in self._teacher_pairs(path)
                 for t, s in zip(teacher.parameters(), student.parameters())]
        teachers, students = zip(*pairs)
        torch._foreach_lerp_(teachers, students, 1 - self.momentum)  # t += (1 - m) (s - t), one fused call

    # --- encoders ----------------------------------------------------------------------------------------------
    def _query(self, x: torch.Tensor, path: Arch) -> torch.Tensor:
        return F.normalize(self.neck(self.supernet.forward_features(x, path)), dim=1)

    @torch.no_grad()
    def _key(self, x: torch.Tensor, path: Arch) -> torch.Tensor:
        x, perm = shuffle_across_ranks(x)
        k = F.normalize(self.teacher['neck'](self.teacher['supernet'].forward_features(x, path)), dim=1)
        return unshuffle_across_ranks(k, perm)

    def info_nce(self, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        if self.use_queue:
            pos = (q * k).sum(1, keepdim=True)
            logits = torch.cat([pos, q @ self.queue.clone().detach()], dim=1)
            labels = torch.zeros(q.shape[0], dtype=torch.long, device=q.device)
        else:  # in-batch negatives: the other samples' keys, gathered from all ranks
            keys = concat_all_gather(k)
            logits = q @ keys.t()
            offset = torch.distributed.get_rank() * q.shape[0] if keys.shape[0] > k.shape[0] else 0
            labels = torch.arange(q.shape[0], device=q.device) + offset
        return F.cross_entropy(logits / self.temperature, labels)

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor) -> None:
        keys = concat_all_gather(keys)
        size, queue_len = keys.shape[0], self.queue.shape[1]
        if queue_len % size:
            raise ValueError(f'queue_len={queue_len} must be a multiple of the global batch size {size} '
                             '(batch per GPU x GPUs); change model.queue_len or the batch size')
        ptr = int(self.queue_ptr)
        self.queue[:, ptr:ptr + size] = keys.t()
        self.queue_ptr[0] = (ptr + size) % queue_len

    # --- training step -----------------------------------------------------------------------------------------
    def loss(self, inputs: torch.Tensor, data_samples=None) -> dict:
        if inputs.dim() != 5 or inputs.shape[1] < 2 * self.num_paths:
            raise ValueError(f'Pi-NAS with {self.num_paths} path(s) needs {2 * self.num_paths} views per image '
                             f'(inputs of shape [B, views, C, H, W]), got {tuple(inputs.shape)}; set '
                             f'num_views={2 * self.num_paths} in the dataset')
        paths = self.sampler.disjoint(2, self.shared_positions) if self.num_paths == 2 else self.sampler.uniform(1)
        self.last_paths = paths
        queries, keys = [], []
        for i, path in enumerate(paths):
            queries.append(self._query(inputs[:, 2 * i], path))
            self.momentum_update(path)
            keys.append(self._key(inputs[:, 2 * i + 1], path))
        positives = keys[::-1] if self.cross_path and self.num_paths == 2 else keys
        losses = [self.info_nce(q, k) for q, k in zip(queries, positives)]
        stats = self.similarity_stats(queries, positives)
        if self.use_queue:
            self.enqueue(sum(keys) / len(keys))
        return dict(loss=sum(losses), **stats)

    @torch.no_grad()
    def similarity_stats(self, queries: list[torch.Tensor], positives: list[torch.Tensor]) -> dict:
        """Mean cosine of each query to its positive key (``pos_sim``) and to its negatives (``neg_sim``: the
        queue's keys, or the batch's other keys). ``neg_sim`` close to ``pos_sim`` means the embedding has collapsed
        into a narrow cone, which InfoNCE near chance (ln(1 + negatives) per term) also shows; ``key_rank`` (the
        effective rank of the batch's keys, :func:`effective_rank`) falling towards 1 shows the same collapse from
        the keys alone."""
        pos = torch.stack([(q * k).sum(1).mean() for q, k in zip(queries, positives)]).mean()
        if self.use_queue:  # the mean over queue keys of q . key = q . (mean key): no second queries x queue product
            mean_negative = F.normalize(self.queue, dim=0).mean(1)
            neg = torch.stack([(q @ mean_negative).mean() for q in queries]).mean()
        else:
            neg = torch.stack([(q @ k.t()).fill_diagonal_(0).sum() / max(q.shape[0] * (q.shape[0] - 1), 1)
                               for q, k in zip(queries, positives)]).mean()
        return dict(pos_sim=pos, neg_sim=neg, key_rank=effective_rank(torch.cat(positives)))


@torch.no_grad()
def effective_rank(features: torch.Tensor) -> torch.Tensor:
    """exp of the entropy of the normalised singular values of the centred ``features`` (N x D): 1 when every
    row is the same direction, up to min(N, D) when they spread evenly (Roy & Vetterli, "The effective rank: a
    measure of effective dimensionality", EUSIPCO 2007)."""
    values = torch.linalg.svdvals(features.float() - features.float().mean(0, keepdim=True))
    p = values / values.sum().clamp_min(torch.finfo(values.dtype).tiny)
    p = p[p > 0]
    return torch.exp(-(p * p.log()).sum())
