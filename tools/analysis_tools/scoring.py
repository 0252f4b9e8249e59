"""Benchmark: the cost of scoring one candidate against the forward passes it cannot avoid.

Scoring one architecture (``pinas.search.scoring.Scorer(...)(arch)``) is a BN recalibration of its path followed by
a proxy score; the work it must do is network forward passes: ``--recalib-batches`` calls of ``forward_features``
with the path's BN in train mode, then the proxy's evaluation forwards under ``torch.no_grad`` (top1 and
linear_probe: one per val batch; knn: one per memory batch and one per val batch; contrastive: two per val batch).
For each proxy and supernet (the tiny ResNeSt ``SuperResNeSt('pinas_resnest_tiny')`` and the Track-1
``Track1Supernet(dict(base='track1_resnet20'))``) every repetition times (a) the ``Scorer`` call and (b) exactly those
bare forward passes on the same in-memory batches, interleaved (a, b, then b, a in the next repetition, so neither
always runs second), on a new random architecture per repetition. The row's figure is the median of the
per-repetition ratios a / b, with their min-max and interquartile range; a noisy machine slows a and b alike, so
the ratio stays put where separately timed medians would not. Target: ratio <= 1.2 (scoring overhead -- BN resets,
loaders, the proxy's own arithmetic, host syncs -- at most 20 % of the forwards). The ``wait`` column is the share
of time this process's threads waited for a CPU (Linux ``/proc/self/task/*/schedstat``, median over repetitions):
with several threads and a share above 10 % a row is not judged, since every parallel region then waits for its
slowest thread and the many small ops of scoring suffer more than the forwards (and a run takes many times
longer); one thread is always judged, hence the default ``--threads 1``.

The linear probe scores with an already-trained head; training the head (``train_linear_head``, once per search) is
timed on its own line against its bare forwards (one pooled forward per training batch and epoch, BN in train
mode), for information only.

``--loader dataloader`` feeds the scorer through a ``DataLoader`` over a ``TensorDataset`` (``--workers`` workers, a
new pool per pass unless ``--persistent-workers``) instead of a list of ``dict(inputs, data_samples)`` batches; the
bare passes always read the in-memory tensors, so the ratio then includes the loader's cost. ``--profile`` prints,
per row, where a few scorer calls spend their time (network forwards, the data loader, the rest; cProfile) and the
functions with the most own time.

    python tools/analysis_tools/scoring.py                          # both spaces, all proxies, batch 32, 1 thread
    python tools/analysis_tools/scoring.py --threads 2 --repeats 15 --spaces track1 --proxies knn contrastive
    python tools/analysis_tools/scoring.py --loader dataloader --workers 2 --profile
"""
from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import random
import statistics
import time
from typing import Callable

import torch
from torch.utils.data import DataLoader, TensorDataset

from pinas.models import SuperResNeSt, Track1Supernet
from pinas.search.scoring import Scorer, train_linear_head
from pinas.utils.timing import cpu_wait_seconds, quartiles
from pinas.utils.cli import ArgumentParser, cli_main

TARGET = 1.2
BUSY = 0.10  # above this CPU wait share, several threads cannot be judged (see the module doc)
PROXIES = ('top1', 'knn', 'contrastive', 'linear_probe')
SPACES: dict[str, Callable[[int], torch.nn.Module]] = {
    'resnest': lambda num_classes: SuperResNeSt('pinas_resnest_tiny', num_classes=num_classes),
    'track1': lambda num_classes: Track1Supernet(dict(base='track1_resnet20', num_classes=num_classes)),
}
SPACE_TITLES = {'resnest': 'pinas_resnest_tiny', 'track1': 'track1_resnet20'}


# --- data ---------------------------------------------------------------------------------------------------------
def make_batches(n: int, batch: int, size: int, num_classes: int, seed: int) -> list[dict]:
    g = torch.Generator().manual_seed(seed)
    return [dict(inputs=torch.randn(batch, 3, size, size, generator=g),
                 data_samples=torch.randint(0, num_classes, (batch,), generator=g)) for _ in range(n)]


def _collate(samples) -> dict:
    inputs, labels = zip(*samples)
    return dict(inputs=torch.stack(inputs), data_samples=torch.stack(labels))


def feeder(batches: list[dict], loader: str, workers: int, persistent: bool) -> Callable[[], object]:
    """What the scorer reads: the list itself, or one reused DataLoader over the same samples in the same order."""
    if loader == 'list':
        return lambda: batches
    dataset = TensorDataset(torch.cat([b['inputs'] for b in batches]), torch.cat([b['data_samples'] for b in batches]))
    dl = DataLoader(dataset, batch_size=len(batches[0]['inputs']), shuffle=False, collate_fn=_collate,
                    num_workers=workers, persistent_workers=persistent and workers > 0)
    return lambda: dl


# --- timing -------------------------------------------------------------------------------------------------------
def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], object], device: torch.device) -> float:
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def summarise(a: list[float], b: list[float], waits: list[float]) -> dict:
    ratios = [x / y for x, y in zip(a, b)]
    q1, q3 = quartiles(ratios)
    return dict(score_s=statistics.median(a), bare_s=statistics.median(b), ratio=statistics.median(ratios),
                lo=min(ratios), hi=max(ratios), q1=q1, q3=q3, n=len(ratios), wait=statistics.median(waits))


def interleaved(a: Callable[[int], object], b: Callable[[int], object], repeats: int, warmup: int,
                device: torch.device) -> dict:
    """Time ``a(rep)`` and ``b(rep)`` within each repetition, alternating which goes first; also each repetition's
    CPU wait share (time this process's threads waited for a core, over wall time x threads)."""
    for rep in range(warmup):
        a(-1 - rep), b(-1 - rep)
    ta, tb, waits = [], [], []
    for rep in range(repeats):
        wait = cpu_wait_seconds()
        if rep % 2 == 0:
            ta.append(timed(lambda: a(rep), device))
            tb.append(timed(lambda: b(rep), device))
        else:
            tb.append(timed(lambda: b(rep), device))
            ta.append(timed(lambda: a(rep), device))
        waits.append((cpu_wait_seconds() - wait) / ((ta[-1] + tb[-1]) * torch.get_num_threads()))
    return summarise(ta, tb, waits)


# --- the bare passes ----------------------------------------------------------------------------------------------
def bare_forwards(supernet, arch, recalib: list[dict], evaluation: list[tuple[dict, int]],
                  logits: bool) -> None:
    """The forwards a score must do, under no_grad: ``forward_features`` in train-mode BN for each recalibration
    batch, then the evaluation forwards (pooled features, or logits for top1), ``copies`` per batch."""
    with torch.no_grad():
        supernet.train()
        for batch in recalib:
            supernet.forward_features(batch['inputs'], arch)
        supernet.eval()
        for batch, copies in evaluation:
            for _ in range(copies):
                supernet.forward_head(supernet.forward_features(batch['inputs'], arch), pre_logits=not logits)


def evaluation_passes(proxy: str, val: list[dict], memory: list[dict]) -> list[tuple[dict, int]]:
    if proxy == 'knn':
        return [(b, 1) for b in memory] + [(b, 1) for b in val]
    if proxy == 'contrastive':
        return [(b, 2) for b in val]
    return [(b, 1) for b in val]


def forwards_label(proxy: str, args) -> str:
    evals = {'knn': f'{args.memory_batches}+{args.val_batches}', 'contrastive': f'2x{args.val_batches}'}
    return f'{args.recalib_batches}+{evals.get(proxy, args.val_batches)}'


# --- profile ------------------------------------------------------------------------------------------------------
def profile_scorer(scorer: Scorer, archs: list, top: int = 8) -> str:
    """Where a few scorer calls spend their time: network forwards, the data loader (worker start-up and
    shut-down, batch transfer), the rest; then the functions with the most own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    start = time.perf_counter()
    for arch in archs:
        scorer(arch)
    total = time.perf_counter() - start
    profiler.disable()
    stats = pstats.Stats(profiler)

    def cumulative(match: Callable[[str, str], bool]) -> float:
        return sum(ct for (file, _, func), (_, _, _, ct, _) in stats.stats.items() if match(file, func))

    forwards = cumulative(lambda f, fn: fn in ('forward_features', 'forward_head') and '/pinas/models/' in f)
    loader = cumulative(lambda f, fn: f.endswith('torch/utils/data/dataloader.py') and fn in (
        '__iter__', '__next__', '__del__'))
    n = len(archs)
    parts = [f'forwards {1e3 * forwards / n:.1f} ms', f'data loader {1e3 * loader / n:.1f} ms',
             f'rest {1e3 * (total - forwards - loader) / n:.1f} ms']
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats('tottime').print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    first = next((i for i, line in enumerate(lines) if 'ncalls' in line), 0)
    return (f'    {len(archs)} scorer calls, {1e3 * total / len(archs):.1f} ms each: ' + ', '.join(parts) + '\n'
            + '\n'.join('    ' + line for line in lines[first:first + top + 1]))


# --- the benchmark ------------------------------------------------------------------------------------------------
def bench_space(space_key: str, args, device: torch.device) -> list[dict]:
    torch.manual_seed(args.seed)
    supernet = SPACES[space_key](args.num_classes).to(device).eval()
    size = supernet.space.input_size
    batches = {name: make_batches(n, args.batch, size, args.num_classes, seed)
               for seed, (name, n) in enumerate([('recalib', args.recalib_batches), ('val', args.val_batches),
                                                 ('memory', args.memory_batches), ('train', args.probe_batches)])}
    # a DataLoader reads host tensors (the scorer moves each batch to the device); a list holds them on the device
    feeds = {name: feeder(bs, args.loader, args.workers, args.persistent_workers) for name, bs in batches.items()}
    batches = {name: [{k: v.to(device) for k, v in b.items()} for b in bs] for name, bs in batches.items()}
    if args.loader == 'list':
        feeds = {name: (lambda bs=bs: bs) for name, bs in batches.items()}
    rng = random.Random(args.seed)
    archs = {}

    def arch_for(rep: int):  # one architecture per repetition, the same for a and b
        if rep not in archs:
            archs[rep] = supernet.space.sample(rng)
        return archs[rep]

    rows = []
    head = None
    if 'linear_probe' in args.proxies:  # once per search: timed on its own line
        train_passes = [b for _ in range(args.probe_epochs) for b in batches['train']]

        def probe_paths(rep):  # the same random path per training batch for a and b
            rng_rep = random.Random(args.seed + 1000 + rep)
            return lambda: supernet.space.sample(rng_rep)

        def train_probe(rep):
            nonlocal head
            head = train_linear_head(supernet, feeds['train'], args.num_classes, args.probe_epochs, 0.1,
                                     probe_paths(rep))

        def bare_probe(rep):
            sample_path = probe_paths(rep)
            with torch.no_grad():
                supernet.train()
                for batch in train_passes:
                    supernet.forward_head(supernet.forward_features(batch['inputs'], sample_path()), pre_logits=True)
                supernet.eval()

        stats = interleaved(train_probe, bare_probe, args.probe_repeats, 1, device)
        rows.append(dict(space=space_key, proxy='probe training', forwards=f'{len(train_passes)}', judged=False,
                         **stats))
    for proxy in args.proxies:
        options = dict(head=head) if proxy == 'linear_probe' else None
        scorer = Scorer(supernet, proxy, recalib=feeds['recalib'], val=feeds['val'],
                        recalib_batches=args.recalib_batches, memory=feeds['memory'], options=options)
        evaluation = evaluation_passes(proxy, batches['val'], batches['memory'])
        stats = interleaved(
            lambda rep: scorer(arch_for(rep)),
            lambda rep: bare_forwards(supernet, arch_for(rep), batches['recalib'], evaluation, logits=proxy == 'top1'),
            args.repeats, args.warmup, device)
        row = dict(space=space_key, proxy=proxy, forwards=forwards_label(proxy, args), judged=True, **stats)
        if args.profile:
            row['profile'] = profile_scorer(scorer, [arch_for(rep) for rep in range(min(3, args.repeats))])
        rows.append(row)
    return rows


def verdict(row: dict, threads: int) -> str:
    if not row['judged']:
        return '(once per search, not judged)'
    if threads > 1 and row['wait'] > BUSY:
        return 'NOT JUDGED (short of cores)'
    return 'meets' if row['ratio'] <= TARGET else 'MISSES'


def print_table(rows: list[dict], args) -> None:
    print(f'{"space":<8}{"proxy":<16}{"forwards":>9}{"score ms":>10}{"bare ms":>10}{"ratio":>8}'
          f'{"min-max":>14}{"IQR":>14}{"wait":>6}  target <= {TARGET}')
    for r in rows:
        print(f'{r["space"]:<8}{r["proxy"]:<16}{r["forwards"]:>9}{1e3 * r["score_s"]:>10.1f}{1e3 * r["bare_s"]:>10.1f}'
              f'{r["ratio"]:>8.3f}{r["lo"]:>7.3f}-{r["hi"]:<6.3f}{r["q1"]:>7.3f}-{r["q3"]:<6.3f}{r["wait"]:>6.0%}  '
              f'{verdict(r, args.threads)}')
        if 'profile' in r:
            print(f'  profile of {r["space"]} {r["proxy"]} (scorer calls, top functions by own time):')
            print(r['profile'])


@cli_main()
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--spaces', nargs='+', choices=sorted(SPACES), default=sorted(SPACES))
    parser.add_argument('--proxies', nargs='+', choices=PROXIES, default=list(PROXIES))
    parser.add_argument('--batch', type=int, default=32, help='batch size of every set (default 32)')
    parser.add_argument('--recalib-batches', type=int, default=4, help='BN recalibration batches (default 4)')
    parser.add_argument('--val-batches', type=int, default=2, help='val batches (default 2)')
    parser.add_argument('--memory-batches', type=int, default=2, help='kNN memory batches (default 2)')
    parser.add_argument('--probe-batches', type=int, default=4, help='probe training batches per epoch (default 4)')
    parser.add_argument('--probe-epochs', type=int, default=1, help='probe training epochs (default 1)')
    parser.add_argument('--probe-repeats', type=int, default=3, help='repetitions of probe training (default 3)')
    parser.add_argument('--num-classes', type=int, default=10)
    parser.add_argument('--repeats', type=int, default=9, help='timed repetitions per row (default 9)')
    parser.add_argument('--warmup', type=int, default=1, help='untimed repetitions per row first (default 1)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (default 1: judged even on a busy machine; see the module doc)')
    parser.add_argument('--loader', choices=('list', 'dataloader'), default='list',
                        help='how the scorer reads its batches (default: an in-memory list)')
    parser.add_argument('--workers', type=int, default=0, help='DataLoader workers with --loader dataloader')
    parser.add_argument('--persistent-workers', action='store_true',
                        help='keep the workers between iterations (default: a new worker pool per pass, as a '
                             'DataLoader without persistent_workers starts)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--profile', action='store_true', help='cProfile a few scorer calls per row')
    args = parser.parse_args(argv)
    if min(args.repeats, args.recalib_batches, args.val_batches, args.memory_batches, args.probe_batches,
           args.probe_epochs, args.probe_repeats, args.batch) < 1:
        parser.error('batch, batch counts, epochs and repeats must be >= 1')
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    start = time.perf_counter()
    rows = [row for space in args.spaces for row in bench_space(space, args, device)]
    loader = 'in-memory batches' if args.loader == 'list' else \
        f'DataLoader, {args.workers} {"persistent " if args.persistent_workers else ""}workers'
    print(f'scoring one candidate vs its bare forward passes: batch {args.batch}, recalib {args.recalib_batches}, '
          f'val {args.val_batches}, memory {args.memory_batches} batches; {loader}; {args.threads} threads, '
          f'{args.device}; median of {args.repeats} interleaved repetitions '
          f'(probe training: {args.probe_repeats}); spaces: '
          + ', '.join(f'{k} = {SPACE_TITLES[k]}' for k in args.spaces))
    print_table(rows, args)
    verdicts = {f'{r["space"]}/{r["proxy"]}': verdict(r, args.threads) for r in rows if r['judged']}
    missed = [k for k, v in verdicts.items() if v == 'MISSES']
    unjudged = [k for k, v in verdicts.items() if v.startswith('NOT')]
    finite = all(math.isfinite(r['ratio']) and r['ratio'] > 0 for r in rows)
    print(f'target: score / bare forwards <= {TARGET} (median per row): '
          + (f'missed by {", ".join(missed)}' if missed else 'met by every judged row')
          + (f'; not judged (CPU wait > {BUSY:.0%} at {args.threads} threads): {", ".join(unjudged)}'
             if unjudged else '')
          + f'; {time.perf_counter() - start:.0f} s' + ('' if finite else '; NON-FINITE RATIOS'))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
