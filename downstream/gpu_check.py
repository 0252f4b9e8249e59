"""GPU check: paper-setting configs trained for a few timed iterations at their real input sizes on generated data
in the real dataset layouts, one process per config; a Markdown table of seconds per iteration, images per second
and peak memory. The library behind ``tools/analysis_tools/gpu_check.py`` (its docstring says what is measured);
:mod:`pinas.apis.shrink` holds the config changes.

Each config runs in a worker process, ``python -m downstream.gpu_check --worker SPEC.json``, so that it has its own
CUDA context, memory peak and failure. Only the worker imports the runner, so that choosing and listing configs
stays quick.
"""
from __future__ import annotations

import glob
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from pinas.utils.cli import UsageError
from pinas.utils.dist import child_pythonpath

# The paper-setting configs, in the order they run (the CEPT steps in step order, each feeding the next).
PAPER_CONFIGS = ('configs/search/*imagenet.py', 'configs/search/cept_step*_cifar100.py',
                 'configs/mask_rcnn/*.py', 'configs/faster_rcnn/*.py', 'configs/retinanet/*.py',
                 'configs/deeplabv3/*.py', 'configs/upernet/*.py')
MAX_IMAGES = 1024  # generated training images per dataset at most (batch x iterations, else)
DATA_WAIT_NOTE = 0.2  # a row notes the data-loading share of an iteration above this
EXIT_BAD_INPUT = 2
# Typical image sizes (width, height) of the real datasets: the generated images have these sizes (times the
# scale); the configs' pipelines then crop or resize them to the network input as on the real data.
SOURCE_SIZES = {'imagenet': (500, 375), 'cifar100': (32, 32), 'coco': (640, 480), 'ade': (683, 512),
                'cityscapes': (2048, 1024)}
# Dataset classes of the configs -> generated layout.
LAYOUTS = {'ImageFolder': 'imagenet', 'CIFAR100': 'cifar100', 'CocoDataset': 'coco', 'ADE20KDataset': 'ade',
           'CityscapesDataset': 'cityscapes'}
IMAGENET_CLASSES = 10


@dataclass(frozen=True)
class CheckSettings:
    """How each config runs: image size factor, batch per GPU (None: the config's), warm-up and timed iterations,
    data-loader workers (None: the config's), torch CPU threads (None: torch's), AMP for every config."""

    scale: float = 1.0
    batch: int | None = None
    warmup: int = 3
    iters: int = 10
    workers: int | None = None
    threads: int | None = None
    amp: bool = False

    def __post_init__(self):
        if self.iters < 1 or self.warmup < 0 or self.scale <= 0 or any(
                value is not None and value < low
                for value, low in ((self.batch, 1), (self.workers, 0), (self.threads, 1))):
            raise UsageError('--iters, --batch and --threads must be >= 1, --warmup and --workers >= 0, --scale > 0')


def select_configs(patterns: Sequence[str] | None, bases: Sequence[Path]) -> list[Path]:
    """The configs the globs name (relative to any of ``bases``, else :data:`PAPER_CONFIGS`), in order, each once; a
    glob of the user's that matches nothing is an error."""
    chosen: list[Path] = []
    for pattern in patterns or PAPER_CONFIGS:
        matches = sorted({Path(p).resolve() for base in bases
                          for p in glob.glob(str(Path(base) / pattern)) if p.endswith('.py') and Path(p).is_file()})
        if not matches and patterns:
            raise UsageError(f'--configs {pattern!r} matches no config file (globs are relative to '
                             f'{" or ".join(map(str, bases))}); check the path')
        chosen += [m for m in matches if m not in chosen]
    if not chosen:
        raise UsageError(f'no paper-setting config found under {" or ".join(map(str, bases))} '
                         f'({", ".join(PAPER_CONFIGS)}); run from the repository root or pass --configs')
    return chosen


def run_check(configs: Sequence[Path], settings: CheckSettings, work_root: Path, *, command: str,
              timeout: float = 1800, cwd: Path | None = None) -> tuple[str, bool]:
    """Run every config in its own worker process (chaining the CEPT steps), progress on stderr; returns the
    Markdown table (``command`` is the line it says produced it) and whether every config ran."""
    from pinas.apis.shrink import cept_step

    work_root = Path(work_root).resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    steps = {cept_step(c): c for c in configs if cept_step(c)}
    results, finished = [], {}
    for number, config in enumerate(configs, 1):
        work_dir = work_root / config.stem
        step = cept_step(config)
        previous = finished.get(steps.get(step - 1)) if step else None
        spec = dict(config=str(config), work_dir=str(work_dir), data_dir=str(work_root / 'data'), **asdict(settings),
                    init_from=previous, save_checkpoint=bool(step and steps.get(step + 1)))
        print(f'gpu_check: [{number}/{len(configs)}] {config.stem} ...', file=sys.stderr, flush=True)
        result = run_worker(spec, work_dir, timeout, cwd or Path.cwd())
        if result.get('bad_input'):
            raise UsageError(result['error'])
        results.append(result)
        if result.get('ok'):
            finished[config] = str(work_dir)
            print(f'gpu_check:   {_significant(result["s_per_iter"])} s/iter, '
                  f'{_significant(result["images_per_s"])} images/s, '
                  f'{result["wall_s"]:.0f} s', file=sys.stderr, flush=True)
        else:
            print(f'gpu_check:   FAILED: {result["error"]} (log: {result["log"]})', file=sys.stderr, flush=True)
    return report(settings, results, command), all(r.get('ok') for r in results)


def run_worker(spec: dict, work_dir: Path, timeout: float, cwd: Path) -> dict:
    """Run one config in a fresh process; returns its result."""
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    spec_file, result_file, log = work_dir / 'gpu_check_spec.json', work_dir / 'gpu_check.json', \
        work_dir / 'gpu_check.log'
    spec['result'] = str(result_file)
    spec_file.write_text(json.dumps(spec, indent=2))
    env = dict(os.environ, PYTHONUNBUFFERED='1',
               PYTHONPATH=child_pythonpath('pinas', 'downstream'))
    if spec['threads']:
        env.update(OMP_NUM_THREADS=str(spec['threads']), MKL_NUM_THREADS=str(spec['threads']))
    start = time.perf_counter()
    with open(log, 'w') as log_file:
        try:
            proc = subprocess.run([sys.executable, '-m', __name__, '--worker', str(spec_file)],
                                  stdout=log_file, stderr=subprocess.STDOUT, cwd=cwd, env=env, timeout=timeout)
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
                                      f'{_last_line(log)}')
    return result


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors='replace').splitlines() if line.strip()]
    return lines[-1].strip() if lines else 'no output'


# --- the table ----------------------------------------------------------------------------------------------------
COLUMNS = ('config', 'device', 'batch/GPU', 'input (HxW)', 's/iter', 'images/s', 'peak memory', 'note')


def report(settings: CheckSettings, results: list[dict], command: str) -> str:
    devices = sorted({r['device'] for r in results if r.get('device')})
    versions = ', '.join(f'{name} {_version(name)}' for name in ('torch', 'mmengine', 'mmcv', 'mmdet',
                                                                 'mmsegmentation'))
    lines = [
        f'GPU check, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, host {platform.node()} '
        f'({", ".join(devices) or "no device"}); {versions}.',
        '',
        f'`{command.strip()}`: one process per config on one device, {settings.warmup} warm-up + {settings.iters} '
        f'timed iterations (median s/iter, data loading included), generated data in the real layouts'
        + (f', image sizes x{settings.scale:g}' if settings.scale != 1 else ' at the real image sizes') + '.',
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


# ==================================================================================================================
# Worker process: one config, trained for a few timed iterations.
# ==================================================================================================================
def worker_main(spec_file: Path) -> int:
    spec = json.loads(Path(spec_file).read_text())
    result: dict[str, Any] = dict(config=Path(spec['config']).stem, ok=False)
    status = 1
    try:
        result.update(run_config(spec, result))
        result['ok'] = True
        status = 0
    except UsageError as err:
        result.update(error=str(err), bad_input=True)
        status = EXIT_BAD_INPUT
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
    from pinas.apis.shrink import iteration_timer

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


def overrides(cfg, spec: dict, cuda: bool, notes: list[str]) -> tuple[dict, int, str]:
    """``--cfg-options`` for the check (a few iterations on generated data), the batch per GPU and the input
    size; ``notes`` gets what the table row should say."""
    from pinas.apis.shrink import (describe_input, missing_pretrained_options, precision_options, previous_step,
                                   scale_sides, scaled, schedule_options)

    scale, total = spec['scale'], spec['warmup'] + spec['iters']
    loader = cfg.train_dataloader
    batch = spec['batch'] or loader.batch_size
    options = schedule_options(cfg, total, batch, spec['workers'], spec['save_checkpoint'])

    # data: generated in the real layout, at the real size (x scale), enough for every iteration
    key, dataset = 'train_dataloader.dataset', loader.dataset
    while 'dataset' in dataset and dataset.get('type') not in LAYOUTS:  # wrappers (RepeatDataset, ...)
        key, dataset = key + '.dataset', dataset.dataset
    layout = LAYOUTS.get(dataset.get('type'))
    if layout is None:
        raise UsageError(f'{Path(spec["config"]).name}: no generator for training data of type '
                         f'{dataset.get("type")!r} (known: {", ".join(LAYOUTS)}); leave this config out')
    count = min(MAX_IMAGES, max(batch * total, batch))
    root = generate(layout, Path(spec['data_dir']), scale, count, ann_file=dataset.get('ann_file'))
    options[key + ('.data_root' if layout in ('coco', 'ade', 'cityscapes') else '.root')] = str(root)
    if layout == 'cifar100':
        options[key + '.download'] = False
        allow_generated_cifar(Path(spec['data_dir']))
        notes.append('md5 check off (generated CIFAR-100)')
    pipeline = [scaled(step, scale) for step in dataset.pipeline]
    options[key + '.pipeline'] = pipeline
    preprocessor = cfg.model.get('data_preprocessor') or {}
    if preprocessor.get('size') is not None:
        options['model.data_preprocessor.size'] = scale_sides(preprocessor['size'], scale)
    if dataset.get('num_views', 1) > 1:
        notes.append(f'{dataset.num_views} views/image')

    # model: weights that exist here, the previous CEPT step, precision
    options.update(missing_pretrained_options(cfg, notes))
    if cfg.model.get('init_from'):
        options['model.init_from'], how = previous_step(cfg, Path(spec['config']), Path(spec['work_dir']),
                                                        spec['init_from'])
        notes.append(how)
    options.update(precision_options(cfg, cuda, spec['amp'], notes))
    return options, batch, describe_input(pipeline)


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


# --- generated data in the real layouts -----------------------------------------------------------------------------
def generate(layout: str, data_dir: Path, scale: float, count: int, ann_file: str | None = None) -> Path:
    """The dataset root the config reads; written once per (layout, size, count) and reused."""
    from pinas.apis.shrink import scale_sides

    width, height = (scale_sides(s, scale) for s in SOURCE_SIZES[layout]) if layout != 'cifar100' else (32, 32)
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


def _images(count: int, size: tuple[int, int]):
    """``count`` (label, PIL image of ``size`` (width, height)) pairs from the embedded dataset's painter
    (:func:`pinas.datasets.synthetic.render`), :data:`IMAGENET_CLASSES` classes in turn."""
    import numpy as np

    from pinas.datasets.synthetic import SyntheticSpec, render

    spec = SyntheticSpec(num_classes=IMAGENET_CLASSES, image_size=max(size))
    rng = np.random.default_rng(0)
    for index in range(count):
        label = index % IMAGENET_CLASSES
        image = render(label, spec, rng)
        yield label, image if image.size == tuple(size) else image.resize(tuple(size))


def make_imagenet(root: Path, size: tuple[int, int], count: int, ann_file: str | None = None) -> None:
    """``root/train/<wnid>/<wnid>_<n>.JPEG`` (ImageNet's class folders; pinas ImageFolder's folder layout), and
    the list file ``root/<ann_file>`` (``relative/path label`` lines) when the config reads one."""
    lines = []
    for index, (label, image) in enumerate(_images(count, size)):
        wnid = f'n{label:08d}'
        folder = root / 'train' / wnid
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f'{wnid}_{index}.JPEG'
        image.save(path, format='JPEG', quality=90)
        lines.append(f'{path.relative_to(root)} {label}')
    if ann_file:
        list_file = root / ann_file
        list_file.parent.mkdir(parents=True, exist_ok=True)
        list_file.write_text('\n'.join(lines) + '\n')


def make_cifar100(root: Path, count: int) -> None:
    """``root/cifar-100-python/{train,test,meta}``: the python pickles of the CIFAR-100 release (uint8 rows of
    3072 = 3 x 32 x 32 values, channel-major, ``fine_labels``, ``coarse_labels``)."""
    import pickle

    import numpy as np

    folder = root / 'cifar-100-python'
    folder.mkdir(parents=True)
    for split, n in (('train', count), ('test', min(count, 100))):
        labels, rows = [], []
        for label, image in _images(n, (32, 32)):
            labels.append(label)
            rows.append(np.asarray(image, dtype=np.uint8).transpose(2, 0, 1).reshape(-1))
        batch = {'filenames': [f'image_{i:05d}.png' for i in range(n)], 'batch_label': f'{split} batch',
                 'fine_labels': labels, 'coarse_labels': [label // 5 for label in labels],
                 'data': np.stack(rows)}
        with open(folder / split, 'wb') as f:
            pickle.dump(batch, f, protocol=2)
    with open(folder / 'meta', 'wb') as f:
        pickle.dump({'fine_label_names': [f'class_{i}' for i in range(100)],
                     'coarse_label_names': [f'superclass_{i}' for i in range(20)]}, f, protocol=2)


def make_transfer(layout: str, root: Path, size: tuple[int, int], count: int) -> None:
    """COCO / ADE20K / Cityscapes from :mod:`downstream.datasets.tiny` (the real layouts), at ``size`` (width,
    height): the generator draws at its module-level sizes, set here for the duration of the call."""
    from downstream.datasets import tiny

    constant = {'coco': 'COCO_SIZE', 'ade': 'ADE_SIZE', 'cityscapes': 'CITYSCAPES_SIZE'}[layout]
    make = {'coco': 'make_tiny_coco', 'ade': 'make_tiny_ade', 'cityscapes': 'make_tiny_cityscapes'}[layout]
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
    if sys.argv[1:2] != ['--worker'] or len(sys.argv) != 3:
        print('usage: python -m downstream.gpu_check --worker SPEC.json (started by '
              'tools/analysis_tools/gpu_check.py)', file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    raise SystemExit(worker_main(Path(sys.argv[2])))
