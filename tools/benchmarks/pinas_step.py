"""Benchmark: the cost of one Pi-NAS training step against the sum of its parts.

A Pi-NAS step is two training passes (student, paths A and B) plus two forward passes (teacher keys). The parts are
timed on stand-alone timm models of the same two paths, side by side in one run; the overhead of weight sharing,
EMA, queue and sampling is the ratio. Target: ratio <= 1.15.

    python tools/benchmarks/pinas_step.py                                # CPU-sized space, 32x32, batch 64
    python tools/benchmarks/pinas_step.py --space pinas_resnest50d --size 224 --batch 8 --repeats 3
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from pinas.algorithms import PiNAS
from pinas.engine import drop_zero_grads
from pinas.models import StandaloneResNeSt


def timed(fn, repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--space', default='pinas_resnest_tiny')
    parser.add_argument('--size', type=int, default=32)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model = PiNAS(backbone=dict(space=args.space), queue_len=args.batch * 64)
    model.init_weights()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    views = torch.randn(args.batch, 4, 3, args.size, args.size)
    paths = model.sampler.disjoint(2)
    model.sampler.disjoint = lambda n=2: paths  # the parts below use the same two paths

    def pinas_step():
        loss = model.loss(views)['loss']
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        drop_zero_grads(optimizer)
        optimizer.step()

    students = [StandaloneResNeSt(p, args.space, num_classes=0) for p in paths]
    teachers = [StandaloneResNeSt(p, args.space, num_classes=0) for p in paths]
    part_optimizers = [torch.optim.SGD(s.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4) for s in students]

    def train_pass(i):
        def run():
            loss = F.normalize(students[i](views[:, 2 * i]), dim=1).sum()
            part_optimizers[i].zero_grad(set_to_none=True)
            loss.backward()
            part_optimizers[i].step()
        return run

    def forward_pass(i):
        def run():
            with torch.no_grad():
                teachers[i](views[:, 2 * i + 1])
        return run

    rows = [('Pi-NAS step (2 paths)', timed(pinas_step, args.repeats))]
    parts = [(f'training pass, path {"AB"[i]}', timed(train_pass(i), args.repeats)) for i in range(2)]
    parts += [(f'forward pass, path {"AB"[i]}', timed(forward_pass(i), args.repeats)) for i in range(2)]
    total = sum(t for _, t in parts)
    print(f'space {args.space}, input {args.size}x{args.size}, batch {args.batch}, {args.threads} threads, '
          f'median of {args.repeats}; paths {paths[0]} / {paths[1]}')
    print(f'{"":<28}{"seconds":>10}')
    for name, seconds in rows + parts:
        print(f'{name:<28}{seconds:>10.3f}')
    print(f'{"sum of parts":<28}{total:>10.3f}')
    print(f'{"ratio step / parts":<28}{rows[0][1] / total:>10.3f}   (target <= 1.15)')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
