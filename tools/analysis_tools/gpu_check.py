"""GPU check: every paper-setting config trains for a few iterations at its real input size, on this machine.

What it checks. Each config (search: the Pi-NAS and SPOS ImageNet supernets and the four CEPT CIFAR-100 steps;
transfer: every config under configs/{mask_rcnn,faster_rcnn,retinanet,deeplabv3,upernet}) is loaded with
``pinas.apis.load_config``; its training data are generated in the real dataset layout (ImageNet class folders of
``.JPEG`` files, CIFAR-100's python pickles, COCO / ADE20K / Cityscapes from ``downstream.datasets.tiny``) at the
real datasets' typical image sizes (ImageNet 500x375, CIFAR 32x32, COCO 640x480, ADE20K 683x512, Cityscapes
2048x1024), which the config's own pipeline crops or resizes to its real input size (224, 32, short side 640-800,
the segmentation crops); and the config's own Runner (``pinas.apis.build_supernet_runner`` / ``build_runner``)
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
input (a glob that matches no config, a missing dataset generator).
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata, util
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parents[2]
# The paper-setting configs, in the order they run (the CEPT steps in step order, each feeding the next).
PAPER_CONFIGS = ('configs/search/*imagenet.py', 'configs/search/cept_step*_cifar100.py',
                 'configs/mask_rcnn/*.py', 'configs/faster_rcnn/*.py', 'configs/retinanet/*.py',
                 'configs/deeplabv3/*.py', 'configs/upernet/*.py')
DEFAULT_WORK_DIR = ROOT / 'work_dirs' / 'gpu_check'
TINY = dict(scale=0.125, batch=2, warmup=1, iters=2, workers=0, threads=1)
FULL = dict(scale=1.0, batch=None, warmup=3, iters=10, workers=None, threads=None)
MIN_SIDE = 32  # --scale never shrinks an image side below this (CIFAR stays at 32)
MAX_IMAGES = 1024  # generated training images per dataset at most (batch x iterations, else)
DATA_WAIT_NOTE = 0.2  # a row notes the data-loading share of an iteration above this
BAD_INPUT = 2
TINY_GENERATOR = 'downstream.datasets.tiny'

# Typical image sizes (width, height) of the real datasets: the generated images have these sizes (times
# --scale); the configs' pipelines then crop or resize them to the network input as on the real data.
SOURCE_SIZES = {'imagenet': (500, 375), 'cifar100': (32, 32), 'coco': (640, 480), 'ade': (683, 512),
                'cityscapes': (2048, 1024)}
# Dataset classes of the configs -> generated layout.
LAYOUTS = {'ImageFolder': 'imagenet', 'CIFAR100': 'cifar100', 'CocoDataset': 'coco', 'ADE20KDataset': 'ade',
           'CityscapesDataset': 'cityscapes'}


class BadInput(Exception):
    """Bad command-line input or a missing tool: one line on stderr, exit status 2."""


# ==================================================================================================================
# Command line (parent process): select configs, run each in a worker process, print the table.
# ==================================================================================================================
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--configs', nargs='+', metavar='GLOB',
                        help='config files or globs, relative to the current directory or the repository root '
                             '(default: the paper-setting configs: ' + ' '.join(PAPER_CONFIGS) + ')')
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
    parser.add_argument('--worker', type=Path, help=argparse.SUPPRESS)  # internal: run one config (spec file)
    args = parser.parse_args(argv)
    preset = TINY if args.tiny else FULL
    for key, value in preset.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.iters < 1 or args.warmup < 0 or args.scale <= 0 or any(
            getattr(args, key) is not None and getattr(args, key) < low
            for key, low in (('batch', 1), ('workers', 0), ('threads', 1))):
        raise BadInput('--iters, --batch and --threads must be >= 1, --warmup and --workers >= 0, --scale > 0')
    return args


def select_configs(patterns: Sequence[str] | None) -> list[Path]:
    """The configs the globs name, in order, each once; a glob of the user's that matches nothing is an error."""
    chosen: list[Path] = []
    for pattern in patterns or PAPER_CONFIGS:
        matches = sorted({Path(p).resolve() for base in (Path.cwd(), ROOT)
                          for p in glob.glob(str(base / pattern)) if p.endswith('.py') and Path(p).is_file()})
        if not matches and patterns:
            raise BadInput(f'--configs {pattern!r} matches no config file (globs are relative to the current '
                           f'directory or {ROOT})')
        chosen += [m for m in matches if m not in chosen]
    if not chosen:
        raise BadInput(f'no paper-setting config found under {ROOT / "configs"} ({", ".join(PAPER_CONFIGS)})')
    return chosen


def is_transfer(config: Path) -> bool:
    return 'search' not in config.relative_to(ROOT).parts if config.is_relative_to(ROOT) else \
        'search' not in config.parts


def check_generators(configs: Iterable[Path]) -> None:
    """The transfer datasets come from downstream.datasets.tiny (tools/make_tiny_datasets.py): fail early, in one
    line, when it is missing."""
    if not any(is_transfer(c) for c in configs):
        return
    package = util.find_spec('downstream')
    locations = list(package.submodule_search_locations or []) if package else []
    if not any((Path(p) / 'datasets' / 'tiny.py').is_file() for p in locations):
        raise BadInput(f'the dataset generator {TINY_GENERATOR} (behind tools/make_tiny_datasets.py) is missing, so '
                       'the COCO / ADE20K / Cityscapes layouts cannot be generated; install the repository '
                       '(pip install -e .) or run only the search configs')


def cept_step(config: Path) -> int | None:
    match = re.search(r'cept_step(\d)', config.name)
    return int(match.group(1)) if match else None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        if args.worker:
            return worker_main(args.worker)
        configs = select_configs(args.configs)
        if args.list:
            print('\n'.join(str(c.relative_to(ROOT)) if c.is_relative_to(ROOT) else str(c) for c in configs))
            return 0
        check_generators(configs)
        return run_all(args, configs)
    except BadInput as err:
        print(f'gpu_check: error: {err}', file=sys.stderr)
        return BAD_INPUT


def run_all(args: argparse.Namespace, configs: list[Path]) -> int:
    work_root = args.work_dir.resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    steps = {cept_step(c): c for c in configs if cept_step(c)}
    results, finished = [], {}
    for number, config in enumerate(configs, 1):
        work_dir = work_root / config.stem
        step = cept_step(config)
        previous = finished.get(steps.get(step - 1)) if step else None
        spec = dict(config=str(config), work_dir=str(work_dir), data_dir=str(work_root / 'data'),
                    scale=args.scale, batch=args.batch, warmup=args.warmup, iters=args.iters,
                    workers=args.workers, threads=args.threads, amp=args.amp, init_from=previous,
                    save_checkpoint=bool(step and steps.get(step + 1)))
        print(f'gpu_check: [{number}/{len(configs)}] {config.stem} ...', file=sys.stderr, flush=True)
        result = run_worker(spec, work_dir, args.timeout)
        if result.get('bad_input'):
            raise BadInput(result['error'])
        results.append(result)
        if result.get('ok'):
            finished[config] = str(work_dir)
            print(f'gpu_check:   {_significant(result["s_per_iter"])} s/iter, '
                  f'{_significant(result["images_per_s"])} images/s, '
                  f'{result["wall_s"]:.0f} s', file=sys.stderr, flush=True)
        else:
            print(f'gpu_check:   FAILED: {result["error"]} (log: {result["log"]})', file=sys.stderr, flush=True)
    text = report(args, results)
    print(text, end='')
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f'gpu_check: table written to {out}', file=sys.stderr)
    return 0 if all(r.get('ok') for r in results) else 1


def run_worker(spec: dict, work_dir: Path, timeout: float) -> dict:
    """Run one config in a fresh process (its own CUDA context, memory peak and failure); returns its result."""
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    spec_file, result_file, log = work_dir / 'gpu_check_spec.json', work_dir / 'gpu_check.json', \
        work_dir / 'gpu_check.log'
    spec['result'] = str(result_file)
    spec_file.write_text(json.dumps(spec, indent=2))
    env = dict(os.environ, PYTHONUNBUFFERED='1',
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get('PYTHONPATH')) if p))
    if spec['threads']:
        env.update(OMP_NUM_THREADS=str(spec['threads']), MKL_NUM_THREADS=str(spec['threads']))
    start = time.perf_counter()
    with open(log, 'w') as log_file:
        try:
            proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), '--worker', str(spec_file)],
                                  stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT, env=env, timeout=timeout)
            returncode = proc.returncode
        except subprocess.TimeoutExpired:
            returncode = None
    result = json.loads(result_file.read_text()) if result_file.is_file() else {}
    result.setdefault('config', Path(spec['config']).stem)
    result['log'] = str(log)
    result['wall_s'] = time.perf_counter() - start
    if returncode is None:
        result.update(ok=False, error=f'timed out after {timeout:.0f} s')
    elif returncode != 0 and result.get('ok'):
        result.update(ok=False, error=f'worker exited with status {returncode} after training')
    elif not result:
        result.update(ok=False, error=f'worker exited with status {returncode} before training: '
                                      f'{last_line(log)}')
    return result


def last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors='replace').splitlines() if line.strip()]
    return lines[-1].strip() if lines else 'no output'


# --- the table ----------------------------------------------------------------------------------------------------
COLUMNS = ('config', 'device', 'batch/GPU', 'input (HxW)', 's/iter', 'images/s', 'peak memory', 'note')


def report(args: argparse.Namespace, results: list[dict]) -> str:
    devices = sorted({r['device'] for r in results if r.get('device')})
    versions = ', '.join(f'{name} {_version(name)}' for name in ('torch', 'mmengine', 'mmcv', 'mmdet',
                                                                 'mmsegmentation'))
    command = 'python tools/analysis_tools/gpu_check.py ' + ' '.join(_options(args))
    lines = [
        f'GPU check, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, host {platform.node()} '
        f'({", ".join(devices) or "no device"}); {versions}.',
        '',
        f'`{command.strip()}`: one process per config on one device, {args.warmup} warm-up + {args.iters} timed '
        f'iterations (median s/iter, data loading included), generated data in the real layouts'
        + (f', image sizes x{args.scale:g}' if args.scale != 1 else ' at the real image sizes') + '.',
        '',
        '| ' + ' | '.join(COLUMNS) + ' |',
        '|' + '|'.join('---' if c in ('config', 'device', 'note') else '---:' for c in COLUMNS) + '|',
    ]
    for r in results:
        if r.get('ok'):
            cells = [r['config'], r['device'], str(r['batch']), r['input_size'], _significant(r['s_per_iter']),
                     _significant(r['images_per_s']), _memory(r), '; '.join(r['notes'])]
        else:
            cells = [r['config'], r.get('device', '-'), str(r.get('batch', '-')), r.get('input_size', '-'), '-',
                     '-', '-', 'FAILED: ' + r['error']]
        lines.append('| ' + ' | '.join(c.replace('|', '/') for c in cells) + ' |')
    return '\n'.join(lines) + '\n'


def _significant(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, never in exponent notation (0.0123, 1.23, 123, 12345)."""
    if value <= 0:
        return f'{value:g}'
    return f'{value:.{max(0, digits - 1 - math.floor(math.log10(value)))}f}'


def _memory(result: dict) -> str:
    size = f'{result["peak_memory_bytes"] / 2 ** 30:.2f} GiB'
    return size if result['peak_memory_kind'] == 'cuda' else f'{size} (RSS)'


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return 'absent'


def _options(args: argparse.Namespace) -> list[str]:
    if args.tiny:
        out = ['--tiny']
    else:
        out = [f'--scale {args.scale:g}'] if args.scale != 1 else []
    preset = TINY if args.tiny else FULL
    for key in ('batch', 'warmup', 'iters', 'workers', 'threads'):
        if getattr(args, key) != preset[key]:
            out.append(f'--{key} {getattr(args, key)}')
    if args.amp:
        out.append('--amp')
    if args.configs:
        out.append('--configs ' + ' '.join(args.configs))
    return out


# ==================================================================================================================
# Worker process: one config, trained for a few timed iterations.
# ==================================================================================================================
def worker_main(spec_file: Path) -> int:
    spec = json.loads(spec_file.read_text())
    result: dict[str, Any] = dict(config=Path(spec['config']).stem, ok=False)
    status = 1
    try:
        result.update(run_config(spec, result))
        result['ok'] = True
        status = 0
    except BadInput as err:
        result.update(error=str(err), bad_input=True)
        status = BAD_INPUT
    except BaseException as err:  # noqa: BLE001  (the row says what failed; the log has the traceback)
        import traceback
        traceback.print_exc()
        message = str(err).strip().splitlines()
        result['error'] = f'{type(err).__name__}: {message[0] if message else ""}'[:300]
    Path(spec['result']).write_text(json.dumps(result, indent=2))
    return status


def run_config(spec: dict, result: dict) -> dict:
    import torch

    from pinas.apis import build_runner, build_supernet_runner, load_config

    if spec['threads']:
        torch.set_num_threads(spec['threads'])
    config = Path(spec['config'])
    base = load_config(config, work_dir=spec['work_dir'])
    transfer = base.get('default_scope') in ('mmdet', 'mmseg')
    if transfer:
        import downstream  # noqa: F401  (registers PiNASResNeSt)
    cuda = torch.cuda.is_available()
    notes: list[str] = []
    options, batch, input_size = overrides(base, spec, cuda, notes)
    result.update(device=_device_name(cuda), batch=batch, input_size=input_size, cfg_options=_plain(options))
    cfg = load_config(config, cfg_options=options, work_dir=spec['work_dir'])
    runner = build_runner(cfg) if transfer else build_supernet_runner(cfg)
    timer = iteration_timer(cuda)
    runner.register_hook(timer, priority='HIGHEST')  # reads the clock before the other hooks of an iteration
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    runner.train()
    times = timer.iter_times[spec['warmup']:]
    waits = timer.data_times[spec['warmup']:]
    if len(times) != spec['iters']:
        raise RuntimeError(f'timed {len(times)} iterations, expected {spec["iters"]}')
    s_per_iter = statistics.median(times)
    wait = statistics.median(waits) / s_per_iter if s_per_iter else 0.0
    if wait > DATA_WAIT_NOTE:
        notes.append(f'data loading {wait:.0%} of an iteration')
    if cuda:
        memory, kind = torch.cuda.max_memory_allocated(), 'cuda'
    else:
        memory, kind = _peak_rss(), 'rss'
    return dict(s_per_iter=s_per_iter, images_per_s=batch / s_per_iter, iter_times=timer.iter_times,
                data_times=timer.data_times, peak_memory_bytes=memory, peak_memory_kind=kind, notes=notes)


def iteration_timer(cuda: bool):
    """A hook timing every training iteration, from one ``after_train_iter`` to the next (data loading, the
    training step and the other hooks included), and the part of it spent waiting for data (up to
    ``before_train_iter``). CUDA is synchronised before the clock is read, so queued kernels count in their
    iteration."""
    from mmengine.hooks import Hook

    class IterationTimer(Hook):
        def __init__(self):
            self.iter_times: list[float] = []
            self.data_times: list[float] = []
            self._last = self._ready = 0.0

        def _now(self) -> float:
            if cuda:
                import torch
                torch.cuda.synchronize()
            return time.perf_counter()

        def before_train(self, runner) -> None:
            self._last = self._now()

        def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
            self._ready = self._now()

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
            now = self._now()
            self.iter_times.append(now - self._last)
            self.data_times.append(self._ready - self._last)
            self._last = now

    return IterationTimer()


def _device_name(cuda: bool) -> str:
    import torch
    if cuda:
        return torch.cuda.get_device_name(torch.cuda.current_device())
    threads = torch.get_num_threads()
    return f'CPU ({threads} thread{"s" if threads > 1 else ""})'


def _peak_rss() -> int:
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == 'darwin' else peak * 1024  # bytes on macOS, KiB on Linux


def _plain(value):
    """JSON-friendly copy of config values (ConfigDict, tuples)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- what changes in a config --------------------------------------------------------------------------------------
def overrides(cfg, spec: dict, cuda: bool, notes: list[str]) -> tuple[dict, int, str]:
    """``--cfg-options`` for the check (a few iterations on generated data), the batch per GPU and the input
    size; ``notes`` gets what the table row should say."""
    scale, total = spec['scale'], spec['warmup'] + spec['iters']
    loader = cfg.train_dataloader
    batch = spec['batch'] or loader.batch_size
    options: dict[str, Any] = {
        'train_cfg': dict(_delete_=True, type='IterBasedTrainLoop', max_iters=total, val_interval=total + 1),
        'param_scheduler': None,  # the schedules count epochs of the real dataset; a check needs no lr schedule
        'val_cfg': None, 'val_dataloader': None, 'val_evaluator': None,
        'test_cfg': None, 'test_dataloader': None, 'test_evaluator': None,
        'log_processor.by_epoch': False,
        'default_hooks.logger.interval': 1,
        'resume': False, 'load_from': None,
        'train_dataloader.batch_size': batch,
    }
    checkpoint = cfg.get('default_hooks', {}).get('checkpoint')
    if spec['save_checkpoint'] and checkpoint:  # the next CEPT step starts from this one's work dir
        options['default_hooks.checkpoint'] = dict(
            _delete_=True, type=checkpoint.get('type', 'CheckpointHook'), by_epoch=False, interval=total + 1,
            save_last=True, max_keep_ckpts=1, backend_args=checkpoint.get('backend_args'))
    elif checkpoint is not None:
        options['default_hooks.checkpoint'] = None
    if spec['workers'] is not None:
        options['train_dataloader.num_workers'] = spec['workers']
        options['train_dataloader.persistent_workers'] = spec['workers'] > 0

    # data: generated in the real layout, at the real size (x scale), enough for every iteration
    key, dataset = 'train_dataloader.dataset', loader.dataset
    while 'dataset' in dataset and dataset.get('type') not in LAYOUTS:  # wrappers (RepeatDataset, ...)
        key, dataset = key + '.dataset', dataset.dataset
    layout = LAYOUTS.get(dataset.get('type'))
    if layout is None:
        raise BadInput(f'{Path(spec["config"]).name}: no generator for training data of type '
                       f'{dataset.get("type")!r} (known: {", ".join(LAYOUTS)})')
    count = min(MAX_IMAGES, max(batch * total, batch))
    root = generate(layout, Path(spec['data_dir']), scale, count, ann_file=dataset.get('ann_file'))
    options[key + ('.data_root' if transfer_layout(layout) else '.root')] = str(root)
    if layout == 'cifar100':
        options[key + '.download'] = False
        allow_generated_cifar(Path(spec['data_dir']))
        notes.append('md5 check off (generated CIFAR-100)')
    pipeline = [scaled(step, scale) for step in dataset.pipeline]
    options[key + '.pipeline'] = pipeline
    preprocessor = cfg.model.get('data_preprocessor') or {}
    if preprocessor.get('size') is not None:
        options['model.data_preprocessor.size'] = _scale(preprocessor['size'], scale)
    input_size = describe_input(pipeline)
    if dataset.get('num_views', 1) > 1:
        notes.append(f'{dataset.num_views} views/image')

    # model: weights that exist here, the previous CEPT step, precision
    init_cfg = cfg.model.get('backbone', {}).get('init_cfg')
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained' and \
            not Path(str(init_cfg.get('checkpoint'))).is_file() and '://' not in str(init_cfg.get('checkpoint')):
        options['model.backbone.init_cfg'] = None
        notes.append('backbone random init')
    if cfg.model.get('init_from'):
        options['model.init_from'], how = previous_step(cfg, spec)
        notes.append(how)
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if 'Amp' in wrapper:
        if cuda:
            notes.append('AMP')
        else:
            plain = {k: v for k, v in cfg.optim_wrapper.items() if k not in ('loss_scale', 'dtype', 'use_fsdp')}
            options['optim_wrapper'] = {**plain, 'type': wrapper.replace('Amp', '', 1), '_delete_': True}
            notes.append(f'AMP off (CPU): {wrapper.replace("Amp", "", 1)}')
    elif spec['amp'] and not cuda:
        notes.append('--amp ignored (CPU)')
    elif spec['amp'] and wrapper in AMP_WRAPPERS:  # tools/train.py --amp; a supernet keeps its own wrapper
        options['optim_wrapper.type'], options['optim_wrapper.loss_scale'] = AMP_WRAPPERS[wrapper], 'dynamic'
        notes.append(f'AMP (--amp): {AMP_WRAPPERS[wrapper]}')
    elif spec['amp']:
        notes.append(f'--amp not applied ({wrapper} has no AMP version)')
    return options, batch, input_size


AMP_WRAPPERS = {'OptimWrapper': 'AmpOptimWrapper', 'SupernetOptimWrapper': 'AmpSupernetOptimWrapper'}


def transfer_layout(layout: str) -> bool:
    return layout in ('coco', 'ade', 'cityscapes')


def previous_step(cfg, spec: dict) -> tuple[str, str]:
    """``model.init_from`` of a chained step: the previous step's work dir from this run, else a checkpoint of
    freshly built previous-step weights (the config's init_from names the previous config: its work dir)."""
    if spec['init_from']:
        return spec['init_from'], f'init from this run\'s {_step_name(Path(spec["init_from"]))}'
    config = Path(spec['config'])
    previous = config.parent / (Path(str(cfg.model.init_from)).name + '.py')
    if not previous.is_file():
        step = cept_step(config)
        candidates = sorted(config.parent.glob(f'cept_step{step - 1}_*{config.stem.rsplit("_", 1)[-1]}.py')) \
            if step else []
        if not candidates:
            raise ValueError(f'model.init_from={cfg.model.init_from!r} names no config next to {config.name}; '
                             'run the previous step in the same check')
        previous = candidates[0]
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    import pinas.algorithms  # noqa: F401  (registers the models)
    from pinas.registry import MODELS
    model_cfg = Config.fromfile(str(previous)).model
    model_cfg.pop('init_from', None)
    with DefaultScope.overwrite_default_scope('pinas'):
        model = MODELS.build(model_cfg)
    path = Path(spec['work_dir']) / f'{previous.stem}_fresh.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path), f'init from freshly built {_step_name(previous)} weights'


def _step_name(config: Path) -> str:
    step = cept_step(config)
    return f'step {step}' if step else config.stem


# --- image sizes ----------------------------------------------------------------------------------------------------
SIZE_KEYS = {'RandomResizedCrop': ('size',), 'CenterCrop': ('size',), 'RandomCrop': ('size', 'crop_size'),
             'Resize': ('size', 'scale'), 'RandomResize': ('scale',), 'RandomChoiceResize': ('scales',)}


def _scale(value, factor: float):
    """Image sides times ``factor``, never below MIN_SIDE (nor grown to it)."""
    if isinstance(value, (list, tuple)):
        return type(value)(_scale(v, factor) for v in value)
    if isinstance(value, int) and factor != 1:
        return max(min(value, MIN_SIDE), round(value * factor))
    return value


def scaled(step: dict, factor: float) -> dict:
    """A pipeline step with its output sizes scaled (nested ``transforms`` too). torchvision's RandomResizedCrop
    ``scale`` is an area fraction and stays."""
    step = dict(step)
    for key in SIZE_KEYS.get(step.get('type'), ()):
        if key in step and step[key] is not None:
            step[key] = _scale(step[key], factor)
    if isinstance(step.get('transforms'), (list, tuple)):
        step['transforms'] = [scaled(t, factor) if isinstance(t, dict) else t for t in step['transforms']]
    return step


def describe_input(pipeline: Sequence[dict]) -> str:
    """The network's input size (height x width) after the training pipeline."""
    size = None
    for step in pipeline:
        kind = step.get('type')
        if kind in ('RandomResizedCrop', 'CenterCrop', 'RandomCrop') and step.get('size') is not None:
            side = step['size']
            size = f'{side}x{side}' if isinstance(side, int) else f'{side[0]}x{side[1]}'
        elif kind == 'RandomCrop' and step.get('crop_size') is not None:  # mmseg: (h, w)
            h, w = step['crop_size'] if not isinstance(step['crop_size'], int) else (step['crop_size'],) * 2
            size = f'{h}x{w}'
        elif kind == 'RandomChoiceResize':  # mmdet: (long, short) scales, keep_ratio
            shorts = sorted(min(s) for s in step['scales'])
            longs = max(max(s) for s in step['scales'])
            size = f'short {shorts[0]}-{shorts[-1]}, long <={longs}'
        elif kind in ('Resize', 'RandomResize') and step.get('scale') is not None and size is None:
            scale = step['scale']
            size = f'short {min(scale)}, long <={max(scale)}' if not isinstance(scale, int) else f'{scale}'
    return size or 'as generated'


# --- generated data in the real layouts -----------------------------------------------------------------------------
def generate(layout: str, data_dir: Path, scale: float, count: int, ann_file: str | None = None) -> Path:
    """The dataset root the config reads; written once per (layout, size, count) and reused."""
    width, height = (_scale(s, scale) for s in SOURCE_SIZES[layout]) if layout != 'cifar100' else (32, 32)
    name = f'{layout}_{width}x{height}_{count}' + (f'_{Path(ann_file).stem}' if ann_file else '')
    base = data_dir / name
    roots = {'imagenet': base, 'cifar100': base, 'coco': base / 'coco',
             'ade': base / 'ade' / 'ADEChallengeData2016', 'cityscapes': base / 'cityscapes'}
    done = base / '.gpu_check_done'
    if done.is_file():
        return roots[layout]
    if base.exists():
        shutil.rmtree(base)  # an interrupted generation
    if layout == 'imagenet':
        make_imagenet(base, (width, height), count, ann_file=ann_file)
    elif layout == 'cifar100':
        make_cifar100(base, count)
    else:
        make_transfer(layout, roots[layout], (width, height), count)
    done.write_text('')
    return roots[layout]


IMAGENET_CLASSES = 10


def make_imagenet(root: Path, size: tuple[int, int], count: int, ann_file: str | None = None) -> None:
    """``root/train/<wnid>/<wnid>_<n>.JPEG`` (ImageNet's class folders; pinas ImageFolder's folder layout), and
    the list file ``root/<ann_file>`` (``relative/path label`` lines) when the config reads one."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(0)
    lines = []
    for index in range(count):
        label = index % IMAGENET_CLASSES
        wnid = f'n{label:08d}'
        folder = root / 'train' / wnid
        folder.mkdir(parents=True, exist_ok=True)
        coarse = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
        image = coarse.resize(size, Image.BILINEAR)
        w, h = size
        x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
        box = (x0, y0, x0 + int(rng.integers(w // 4, w // 2)), y0 + int(rng.integers(h // 4, h // 2)))
        ImageDraw.Draw(image).ellipse(box, fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
        pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 12, (h, w, 3))
        path = folder / f'{wnid}_{index}.JPEG'
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, format='JPEG', quality=90)
        lines.append(f'{path.relative_to(root)} {label}')
    if ann_file:
        list_file = root / ann_file
        list_file.parent.mkdir(parents=True, exist_ok=True)
        list_file.write_text('\n'.join(lines) + '\n')


def make_cifar100(root: Path, count: int) -> None:
    """``root/cifar-100-python/{train,test,meta}``: the python pickles of the CIFAR-100 release (uint8 rows of
    3072 = 3 x 32 x 32 values, ``fine_labels``, ``coarse_labels``)."""
    import pickle

    import numpy as np

    folder = root / 'cifar-100-python'
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (('train', count), ('test', min(count, 100))):
        labels = [i % 100 for i in range(n)]
        batch = {'filenames': [f'image_{i:05d}.png' for i in range(n)], 'batch_label': f'{split} batch',
                 'fine_labels': labels, 'coarse_labels': [label // 5 for label in labels],
                 'data': rng.integers(0, 256, (n, 3072), dtype=np.uint8)}
        with open(folder / split, 'wb') as f:
            pickle.dump(batch, f, protocol=2)
    with open(folder / 'meta', 'wb') as f:
        pickle.dump({'fine_label_names': [f'class_{i}' for i in range(100)],
                     'coarse_label_names': [f'superclass_{i}' for i in range(20)]}, f, protocol=2)


def make_transfer(layout: str, root: Path, size: tuple[int, int], count: int) -> None:
    """COCO / ADE20K / Cityscapes from downstream.datasets.tiny (the real layouts), at ``size`` (width, height):
    the generator draws at its module-level sizes, set here for the duration of the call."""
    try:
        from downstream.datasets import tiny
    except ImportError as err:
        raise BadInput(f'the dataset generator {TINY_GENERATOR} cannot be imported ({err}); it writes the '
                       'COCO / ADE20K / Cityscapes layouts') from None
    constant = {'coco': 'COCO_SIZE', 'ade': 'ADE_SIZE', 'cityscapes': 'CITYSCAPES_SIZE'}[layout]
    make = {'coco': 'make_tiny_coco', 'ade': 'make_tiny_ade', 'cityscapes': 'make_tiny_cityscapes'}[layout]
    if not hasattr(tiny, constant) or not hasattr(tiny, make):
        raise BadInput(f'{TINY_GENERATOR} has no {constant} / {make}(): its interface changed; update '
                       'tools/analysis_tools/gpu_check.py')
    saved = getattr(tiny, constant)
    setattr(tiny, constant, tuple(size))
    try:
        getattr(tiny, make)(root, tiny.TinySpec(num_train=count, num_val=1, seed=0))
    finally:
        setattr(tiny, constant, saved)


def allow_generated_cifar(data_dir: Path) -> None:
    """torchvision's CIFAR100 checks the md5 sums of the official files; generated files under ``data_dir`` pass
    (only in this worker process), files anywhere else are still checked."""
    from torchvision.datasets import cifar
    check = cifar.check_integrity
    generated = data_dir.resolve()

    def check_integrity(fpath, md5=None) -> bool:
        return generated in Path(fpath).resolve().parents or check(fpath, md5)

    cifar.check_integrity = check_integrity


if __name__ == '__main__':
    raise SystemExit(main())
