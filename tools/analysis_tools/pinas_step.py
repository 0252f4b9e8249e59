"""Benchmark: the cost of one Pi-NAS training step against the sum of its parts, timed side by side.

A Pi-NAS step is two training passes (student, paths A and B) plus two forward passes (teacher keys), each through
the MoCo projection neck. The parts are the same four passes on stand-alone timm models of the same two paths, each
with its own copy of the neck: a training pass is forward, a loss, backward and an SGD step; a forward pass runs
under no_grad. What the step does beyond its parts -- weight sharing, the EMA teacher update, the queue and
InfoNCE, path sampling, zero-gradient filtering -- is the overhead, and the ratio step / (sum of parts) measures it.

Every repetition times the step and each of its four parts once, interleaved in a rotating order (no pass always
runs first or last), after ``--warmup`` untimed rounds; a noisy machine then slows the step and its parts alike.
The figure is the median of the per-repetition ratios, with their min-max and interquartile range; the absolute
medians are printed too. Target: ratio <= 1.05 at 1 and 2 threads, the same to +-0.03 from run to run.

Other processes can still leave this one short of cores. Each repetition also records how long this process's
threads waited for a CPU (Linux ``/proc/self/task/*/schedstat``), as a share of wall time x threads; a repetition
is quiet at a share <= 10 %. With at least 5 quiet repetitions the verdict uses their median ratio. Otherwise one
thread is judged on all repetitions (waiting then delays step and parts alike), but several threads are not judged:
every parallel region then waits for its slowest thread, which inflates the step, with its many small ops, more
than its parts.

    python tools/analysis_tools/pinas_step.py                                # CPU-sized space, 32x32, batch 64
    python tools/analysis_tools/pinas_step.py --threads 1 --repeats 21
    python tools/analysis_tools/pinas_step.py --space pinas_resnest50d --size 224 --batch 8 --repeats 5
"""
from __future__ import annotations

import argparse
import copy
import logging
import math
import statistics
import time

import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger

from pinas.algorithms import PiNAS
from pinas.engine import drop_zero_grads
from pinas.models import StandaloneResNeSt
from pinas.utils.timing import cpu_wait_seconds, quartiles
from pinas.utils.cli import ArgumentParser, cli_main

TARGET, STABILITY = 1.05, 0.03
QUIET = 0.10  # a repetition is quiet if this process's threads waited for a CPU at most this share of the time
MIN_QUIET = 5


def interleaved(fns: dict, repeats: int, warmup: int, threads: int) -> tuple[dict[str, list[float]], list[float]]:
    """Seconds of every function in every repetition, and each repetition's CPU wait share (the time this process's
    threads spent waiting for a core, over wall time x threads); each repetition runs every function once, the
    order rotated by one place per repetition."""
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times, waits = {name: [] for name in names}, []
    for rep in range(repeats):
        shift = rep % len(names)
        wait, rep_start = cpu_wait_seconds(), time.perf_counter()
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
        waits.append((cpu_wait_seconds() - wait) / ((time.perf_counter() - rep_start) * threads))
    return times, waits


def ratio_line(label: str, ratios: list[float]) -> str:
    q1, q3 = quartiles(ratios)
    return (f'{label:<28}{statistics.median(ratios):>10.3f}   min-max {min(ratios):.3f}-{max(ratios):.3f}, '
            f'IQR {q1:.3f}-{q3:.3f} (median of {len(ratios)} per-repetition ratios)')


@cli_main()
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--space', default='pinas_resnest_tiny')
    parser.add_argument('--size', type=int, default=32)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=15, help='timed repetitions (default 15)')
    parser.add_argument('--warmup', type=int, default=2, help='untimed rounds first (default 2)')
    parser.add_argument('--threads', type=int, default=2, help='torch threads (default 2)')
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.batch < 1:
        parser.error('--repeats and --batch must be >= 1')
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = PiNAS(backbone=dict(space=args.space), queue_len=args.batch * 64)
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # init_weights logs every parameter
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    views = torch.randn(args.batch, 4, 3, args.size, args.size)
    paths = model.sampler.disjoint(2)
    model.sampler.disjoint = lambda n=2, shared=(): paths  # the parts below use the same two paths

    def pinas_step():
        loss = model.loss(views)['loss']
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        drop_zero_grads(optimizer)
        optimizer.step()

    def standalone(path):  # the path's network and a copy of the neck, which gets pooled features
        return torch.nn.Sequential(StandaloneResNeSt(path, args.space, num_classes=0), copy.deepcopy(model.neck.mlp))

    students = [standalone(p) for p in paths]
    teachers = [standalone(p) for p in paths]
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
                F.normalize(teachers[i](views[:, 2 * i + 1]), dim=1)
        return run

    fns = {'Pi-NAS step (2 paths)': pinas_step}
    fns.update({f'training pass, path {"AB"[i]}': train_pass(i) for i in range(2)})
    fns.update({f'forward pass, path {"AB"[i]}': forward_pass(i) for i in range(2)})
    start = time.perf_counter()
    times, waits = interleaved(fns, args.repeats, args.warmup, args.threads)
    step, *parts = times.values()
    sums = [sum(p) for p in zip(*parts)]
    ratios = [s / p for s, p in zip(step, sums)]
    quiet = [r for r, w in zip(ratios, waits) if w <= QUIET]
    wait = statistics.median(waits)

    print(f'space {args.space}, input {args.size}x{args.size}, batch {args.batch}, {args.threads} threads; '
          f'{args.repeats} repetitions interleaved (rotating order) after {args.warmup} warm-up; '
          f'paths {paths[0]} / {paths[1]}; {time.perf_counter() - start:.0f} s')
    print(f'{"":<28}{"median s":>10}{"min s":>10}{"max s":>10}')
    for name, seconds in [*times.items(), ('sum of parts', sums)]:
        print(f'{name:<28}{statistics.median(seconds):>10.3f}{min(seconds):>10.3f}{max(seconds):>10.3f}')
    print(ratio_line('ratio step / parts', ratios))
    print(f'CPU wait: this process\'s threads waited for a core {wait:.0%} of the time (median over repetitions); '
          f'{len(quiet)} of {len(ratios)} repetitions quiet (wait <= {QUIET:.0%})')
    if quiet:
        print(ratio_line('ratio, quiet repetitions', quiet))
    if len(quiet) >= MIN_QUIET:
        basis, verdict = 'the quiet repetitions', statistics.median(quiet)
    elif args.threads == 1 or math.isnan(wait):  # one thread: waiting for a core delays step and parts alike
        why = 'CPU wait unknown here' if math.isnan(wait) else '1 thread: waiting delays step and parts alike'
        basis, verdict = f'all repetitions; {why}', statistics.median(ratios)
    else:
        basis, verdict = None, None
    head = f'target: ratio <= {TARGET} at 1 and 2 threads, stable to +-{STABILITY} across runs: '
    if verdict is None:
        print(head + f'NOT JUDGED: fewer than {MIN_QUIET} quiet repetitions; with {args.threads} threads on a '
              'machine short of cores every parallel region waits for the slowest thread, which inflates the '
              'step (many small ops) more than its parts; rerun when the machine is quieter')
    else:
        print(head + f'{"meets" if verdict <= TARGET else "MISSES"} {TARGET} in this run ({verdict:.3f}, on '
              f'{basis}); compare the median with other runs for stability')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
