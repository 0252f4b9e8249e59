"""The main job on the embedded default, stage by stage: paper architectures, Pi-NAS supernet training, search and
export, tiny transfer datasets, transfer of the best architectures (a benchmark of tools/train.py + tools/test.py runs), leaderboard.

    python tools/demo.py [--work-dir work_dirs/demo] [--epochs 3]     # what `make demo` runs (tools/demo.sh)

Every stage is one of the project's own command lines, printed before it runs, so the demo doubles as a recipe.
Each stage header says k/n and the stage's expected time (from the last timings measured by
tools/analysis_tools/e2e.py, results/benchmarks/e2e.json); the wall time of every stage goes to <work_dir>/timings.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from pinas.search.work_dir import BACKBONE_SUFFIX, TIMM_SUFFIX, SearchWorkDir
from pinas.spaces import NAMED_ARCHS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_TIMINGS = ROOT / 'results' / 'benchmarks' / 'e2e.json'
SEARCH_CONFIG = 'configs/search/pinas_embedded.py'
BENCHMARK_CONFIG = 'configs/benchmarks/demo_embedded.py'
PAPER_RECORDS = 'results/leaderboard/paper'
TINY_DATA = os.environ.get('PINAS_TINY_DATA', 'data/tiny')  # where configs/smoke/ read the tiny datasets
PAPER_ARCHS = tuple(a.code for a in NAMED_ARCHS)  # Pi-NAS-cls, Pi-NAS-trans, ResNeSt-50 (all of pinas_resnest50d)


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    command: Callable[['Paths'], list[str]]


@dataclass(frozen=True)
class Paths:
    work: Path
    epochs: int

    @property
    def search(self) -> Path:
        return self.work / 'pinas'

    @property
    def ranked(self) -> Path:
        return SearchWorkDir(self.search).table_csv

    @property
    def export(self) -> Path:
        return SearchWorkDir(self.search).export_dir

    @property
    def transfer(self) -> Path:
        return self.work / 'transfer'

    @property
    def leaderboard(self) -> Path:
        return self.work / 'leaderboard'


def _python(*args) -> list[str]:
    return [sys.executable, *map(str, args)]


STAGES = (
    Stage('paper_archs', 'paper architectures of the Pi-NAS ResNeSt-50-D space (params, FLOPs)',
          lambda p: _python('tools/arch_info.py', *PAPER_ARCHS)),
    Stage('train', 'Pi-NAS supernet training on the embedded default',
          lambda p: _python('tools/search.py', SEARCH_CONFIG, '--work-dir', p.search, '--train-only',
                            '--cfg-options', f'train_cfg.max_epochs={p.epochs}')),
    Stage('search', 'search the trained supernet and export the best architectures',
          lambda p: _python('tools/search.py', SEARCH_CONFIG, '--work-dir', p.search,
                            '--cfg-options', f'train_cfg.max_epochs={p.epochs}')),
    Stage('datasets', 'tiny COCO / ADE20K / Cityscapes in their real layouts (generated, no download)',
          lambda p: _python('tools/make_tiny_datasets.py', TINY_DATA, '--size', 'tiny')),
    Stage('transfer', 'transfer benchmark: fine-tune and test the searched backbones on tiny COCO / ADE20K',
          lambda p: _python('tools/benchmark.py', BENCHMARK_CONFIG, '--work-dir', p.transfer,
                            '--cfg-options', f"search_dir={p.search}")),
    Stage('leaderboard', 'leaderboard of what just ran, beside the paper rows',
          lambda p: _python('tools/leaderboard.py', p.transfer, PAPER_RECORDS, '--out', p.leaderboard)),
)


def expected_seconds() -> dict[str, float]:
    """Per-stage wall times of the last e2e benchmark, for the ETA in each stage header."""
    try:
        return {row['stage']: row['seconds'] for row in json.loads(REFERENCE_TIMINGS.read_text())['stages']}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def run_stages(paths: Paths, stages: Sequence[Stage] = STAGES) -> list[dict]:
    """Run the stages in order, printing k/n headers with ETAs; returns [{stage, seconds}] (also in timings.json)."""
    expected = expected_seconds()
    timings: list[dict] = []
    paths.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get('PYTHONPATH')])))
    start_all = time.perf_counter()
    for k, stage in enumerate(stages, 1):
        eta = expected.get(stage.name)
        eta_text = f', about {_clock(eta)} on 2 quiet cores' if eta else ''
        print(f'\n== stage {k}/{len(stages)}: {stage.title}{eta_text}', flush=True)
        command = stage.command(paths)
        print('$ ' + shlex.join(str(c) for c in command), flush=True)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env)
        seconds = round(time.perf_counter() - start, 1)
        timings.append(dict(stage=stage.name, seconds=seconds))
        (paths.work / 'timings.json').write_text(json.dumps(dict(stages=timings), indent=2) + '\n')
        if result.returncode != 0:
            raise SystemExit(f'error: stage {k}/{len(stages)} ({stage.name}) failed with exit code '
                             f'{result.returncode}; its output is above, rerun `make demo` to continue '
                             'from what finished')
        print(f'== stage {k}/{len(stages)} done in {_clock(seconds)} '
              f'(total {_clock(time.perf_counter() - start_all)})', flush=True)
    return timings


def summary(paths: Paths) -> str:
    """The last screen: where every output is."""
    lines = ['', '== done. Outputs:',
             f'  ranked architectures   {paths.ranked}',
             f'  exported backbones     {paths.export}/ (timm *{TIMM_SUFFIX}, OpenMMLab *{BACKBONE_SUFFIX})',
             f'  transfer runs          {paths.transfer}/ (one record.json + test_metrics.json per run)',
             f'  leaderboard            {paths.leaderboard / "leaderboard.md"}',
             f'  leaderboard page       file://{(paths.leaderboard / "leaderboard.html").resolve()}',
             f'  stage timings          {paths.work / "timings.json"}']
    return '\n'.join(lines)


def _clock(seconds: float) -> str:
    return f'{int(seconds) // 60} min {int(seconds) % 60:02d} s'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default=os.environ.get('WORK_DIR', 'work_dirs/demo'))
    parser.add_argument('--epochs', type=int, default=int(os.environ.get('DEMO_EPOCHS', 3)),
                        help='supernet training epochs (the config\'s cosine schedule follows them)')
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    paths = Paths(work=Path(args.work_dir).resolve(), epochs=args.epochs)
    run_stages(paths)
    print(summary(paths))
    return 0


if __name__ == '__main__':
    sys.exit(main())
