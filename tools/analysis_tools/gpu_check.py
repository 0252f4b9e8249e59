"""GPU check: every paper-setting config trains for a few iterations at its real input size, on this machine.

What it checks. Each config (search: the Pi-NAS and SPOS ImageNet supernets and the four CEPT CIFAR-100 steps;
transfer: every config under configs/{mask_rcnn,faster_rcnn,retinanet,deeplabv3,upernet}) is loaded with
``pinas.apis.load_config``; its training data are generated in the real dataset layout (ImageNet class folders of
``.JPEG`` files and CIFAR-100's python pickles, painted by ``pinas.datasets.synthetic``; COCO / ADE20K / Cityscapes
from ``downstream.datasets.tiny``) at the real datasets' typical image sizes (ImageNet 500x375, CIFAR 32x32, COCO
640x480, ADE20K 683x512, Cityscapes 2048x1024), which the config's own pipeline crops or resizes to its real input
size (224, 32, short side 640-800, the segmentation crops); and the config's own Runner (``pinas.apis.build_supernet_runner`` / ``build_runner``)
trains it for ``--warmup`` + ``--iters`` iterations at its batch per GPU, with its pipeline, model, optimizer
wrapper and hooks. Only the schedule (an ``IterBasedTrainLoop``, no validation, no lr schedule), the data roots
and, where the config names a checkpoint that does not exist here, the backbone's initial weights (random) change.
The CEPT steps are chained: step 1's work dir is step 2's ``model.init_from`` and so on (a step run without its
predecessor starts from freshly built weights of the previous step). A hook times every iteration
(``after_train_iter`` to ``after_train_iter``, data loading included, CUDA synchronised before the clock is read),
and the table reports per config the median seconds per iteration over the timed iterations, images per second
(per GPU; a Pi-NAS image is 4 views) and the peak memory: ``torch.cuda.max_memory_allocated`` on a GPU, the peak
resident set size of the process on CPU.

Each config runs in its own process, on one GPU (the first visible one) or the CPU: the numbers are per GPU at the
config's batch per GPU, without the gradient all-reduce of an 8-GPU run (SyncBN runs as BN in one process). The
configs that train with AMP (``*amp*``) do so on a GPU; on CPU they run in fp32 and the table says so. ``--amp``
switches the other configs to AMP too (GPU only, as ``tools/train.py --amp``).

On a new GPU cluster, run this first, on one node (an 8-GPU node is fine; it uses one GPU):

    python tools/analysis_tools/gpu_check.py --out docs/gpu_check.md

and commit the table it writes (docs/gpu_check.md) when it ran on a GPU. Other uses:

    python tools/analysis_tools/gpu_check.py --tiny                # CPU, seconds per config (what the test runs)
    python tools/analysis_tools/gpu_check.py --configs 'configs/search/cept_step*_cifar100.py' --iters 20
    python tools/analysis_tools/gpu_check.py --list                # the configs it would run

``--tiny`` shrinks image sizes by 8 (never below 32 pixels; models and training settings stay the configs'), the
batch to 2, and runs 1 warm-up + 2 timed iterations without data-loader workers on one CPU thread (OpenMP threads
spin against each other on shared cores); ``--scale``, ``--batch``, ``--warmup``, ``--iters``, ``--workers`` and
``--threads`` set each of these alone. Generated data are kept under ``<work-dir>/data`` and reused; each config's
log, final config options (``cfg_options`` in gpu_check.json) and per-iteration times are in
``<work-dir>/<config>/``. Exit status: 0 when every config ran, 1 when one failed (its row says why), 2 on bad
input (a glob that matches no config), as every tool: ``error: <problem>; <fix>``.
The logic is in :mod:`downstream.gpu_check` (runs, data, table) and :mod:`pinas.apis.shrink` (config changes).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from pinas.utils.cli import ArgumentParser, UsageError, cli_main

ROOT = Path(__file__).resolve().parents[2]  # the checkout: its configs/ and work_dirs/
DEFAULT_WORK_DIR = ROOT / 'work_dirs' / 'gpu_check'
TINY = dict(scale=0.125, batch=2, warmup=1, iters=2, workers=0, threads=1)
FULL = dict(scale=1.0, batch=None, warmup=3, iters=10, workers=None, threads=None)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--configs', nargs='+', metavar='GLOB',
                        help='config files or globs, relative to the current directory or the repository root '
                             '(default: the paper-setting configs under configs/)')
    parser.add_argument('--out', metavar='FILE.md', help='also write the table (Markdown) to this file')
    parser.add_argument('--tiny', action='store_true',
                        help='CPU-sized check: --scale 0.125 --batch 2 --warmup 1 --iters 2 --workers 0 '
                             '--threads 1')
    parser.add_argument('--scale', type=float, help='image size factor (default 1: the configs\' real sizes)')
    parser.add_argument('--batch', type=int, help='batch per GPU (default: the config\'s)')
    parser.add_argument('--warmup', type=int, help='untimed iterations first (default 3)')
    parser.add_argument('--iters', type=int, help='timed iterations (default 10)')
    parser.add_argument('--workers', type=int, help='data-loader workers (default: the config\'s)')
    parser.add_argument('--threads', type=int,
                        help='torch CPU threads of each run (default: torch\'s, one per core)')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision for every config (GPU only; the *amp* configs have it anyway)')
    parser.add_argument('--work-dir', type=Path, default=DEFAULT_WORK_DIR,
                        help=f'logs, checkpoints and generated data (default {DEFAULT_WORK_DIR.relative_to(ROOT)})')
    parser.add_argument('--timeout', type=float, default=1800, help='seconds per config (default 1800)')
    parser.add_argument('--list', action='store_true', help='print the selected configs and exit')
    args = parser.parse_args(argv)
    for key, value in (TINY if args.tiny else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def command_line(args: argparse.Namespace) -> str:
    """The command the table says produced it (the options that differ from the preset)."""
    out = ['--tiny'] if args.tiny else [f'--scale {args.scale:g}'] if args.scale != 1 else []
    preset = TINY if args.tiny else FULL
    out += [f'--{key} {getattr(args, key)}' for key in ('batch', 'warmup', 'iters', 'workers', 'threads')
            if getattr(args, key) != preset[key]]
    out += ['--amp'] * args.amp + (['--configs ' + ' '.join(args.configs)] if args.configs else [])
    return ' '.join(['python tools/analysis_tools/gpu_check.py', *out])


@cli_main()
def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        from downstream import gpu_check
    except ImportError as err:
        raise UsageError(f'the GPU check\'s library downstream.gpu_check cannot be imported ({err}); install '
                         'the repository (pip install -e .)') from None
    settings = gpu_check.CheckSettings(**{k: getattr(args, k) for k in (*FULL, 'amp')})
    configs = gpu_check.select_configs(args.configs, (Path.cwd(), ROOT))
    if args.list:
        print('\n'.join(str(c.relative_to(ROOT)) if c.is_relative_to(ROOT) else str(c) for c in configs))
        return 0
    text, ok = gpu_check.run_check(configs, settings, args.work_dir, command=command_line(args),
                                   timeout=args.timeout, cwd=ROOT)
    print(text, end='')
    if args.out:
        from pinas.utils.files import atomic_write_bytes
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out, text.encode())
        print(f'gpu_check: table written to {out}', file=sys.stderr)
    return 0 if ok else 1


if __name__ == '__main__':
    raise SystemExit(main())
