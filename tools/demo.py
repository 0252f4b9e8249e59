"""The main job on the embedded default, stage by stage: paper architectures, Pi-NAS supernet training, search and
export, the small transfer datasets, transfer of the search's best and worst architectures (a benchmark of
tools/train.py + tools/test.py runs, two seeds each), leaderboard, and a last screen that says what the run showed.

    python tools/demo.py [--config configs/demo/demo.py] [--work-dir work_dirs/demo] [--epochs 3]
    # what `make demo` runs (tools/demo.sh)

Every stage is one of the project's own command lines, printed before it runs, so the demo doubles as a recipe.
What the stages run (configs, epochs, data, benchmark, workers) is the demo config's (configs/demo/demo.py); this
file holds no settings. Each stage header says k/n and the stage's expected time (from the last timings measured by
tools/analysis_tools/e2e.py, results/benchmarks/e2e.json); the wall time of every stage goes to
<work_dir>/timings.json.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from mmengine.config import Config
from PIL import Image

from pinas.leaderboard.record import load_records
from pinas.leaderboard.table import Board, Row, build_boards, unique_records
from pinas.ranking.metrics import MIN_CORRELATION_ITEMS
from pinas.search.work_dir import BACKBONE_SUFFIX, TIMM_SUFFIX, SearchWorkDir
from pinas.spaces import NAMED_ARCHS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_TIMINGS = ROOT / 'results' / 'benchmarks' / 'e2e.json'
DEFAULT_CONFIG = 'configs/demo/demo.py'
PAPER_ARCHS = tuple(a.code for a in NAMED_ARCHS)  # Pi-NAS-cls, Pi-NAS-trans, ResNeSt-50 (all of pinas_resnest50d)
PLAN_KEYS = ('search_config', 'supernet_epochs', 'transfer_data', 'benchmark', 'transfer_workers',
             'threads_per_worker', 'paper_records', 'significance')
SCREEN_WIDTH = 116
WORKER_ECHO = ('[benchmark]', 'error')  # a transfer worker's lines shown on screen; all of them go to its log


def _usage_error(message: str) -> None:
    """The project's one-line error for a mistake the user can fix, exit status 2."""
    print(f'error: {message}', file=sys.stderr)
    raise SystemExit(2)


@dataclass(frozen=True)
class Plan:
    """The demo config (configs/demo/demo.py): what each stage runs."""
    search_config: str
    supernet_epochs: int
    data_size: str
    data_root: str
    benchmark: str
    transfer_workers: int
    threads_per_worker: int
    paper_records: str
    significance: float

    @classmethod
    def load(cls, path: str | Path = DEFAULT_CONFIG) -> 'Plan':
        if not (ROOT / path).is_file():
            _usage_error(f'demo config {path} does not exist; pass one like {DEFAULT_CONFIG}')
        cfg = Config.fromfile(str(ROOT / path))
        missing = [k for k in PLAN_KEYS if k not in cfg]
        if missing:
            _usage_error(f'{path} has no {missing[0]!r}; a demo config sets {", ".join(PLAN_KEYS)} '
                         f'(see {DEFAULT_CONFIG})')
        return cls(cfg.search_config, int(cfg.supernet_epochs), cfg.transfer_data['size'],
                   cfg.transfer_data['root'], cfg.benchmark, int(cfg.transfer_workers),
                   int(cfg.threads_per_worker), cfg.paper_records, float(cfg.significance))


@dataclass(frozen=True)
class Paths:
    work: Path
    epochs: int | None = None  # supernet epochs; None: the plan's
    plan: Plan = field(default_factory=Plan.load)

    @property
    def supernet_epochs(self) -> int:
        return self.plan.supernet_epochs if self.epochs is None else self.epochs

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


@dataclass(frozen=True)
class Stage:
    """A step of the demo: one command line, or several that run side by side (a sharded benchmark)."""
    name: str
    title: str
    commands: Callable[[Paths], list[list[str]]]


def _python(*args) -> list[str]:
    return [sys.executable, *map(str, args)]


def _search(p: Paths, *extra: str) -> list[str]:
    return _python('tools/search.py', p.plan.search_config, '--work-dir', p.search, *extra,
                   '--cfg-options', f'train_cfg.max_epochs={p.supernet_epochs}')


def _transfer_workers(p: Paths) -> list[list[str]]:
    n = p.plan.transfer_workers
    command = _python('tools/benchmark.py', p.plan.benchmark, '--work-dir', p.transfer,
                      '--cfg-options', f'search_dir={p.search}')
    return [command] if n == 1 else [command + ['--shard', f'{k}/{n}'] for k in range(n)]


STAGES = (
    Stage('paper_archs', 'paper architectures of the Pi-NAS ResNeSt-50-D space (params, FLOPs)',
          lambda p: [_python('tools/arch_info.py', *PAPER_ARCHS)]),
    Stage('train', 'Pi-NAS supernet training on the embedded default',
          lambda p: [_search(p, '--train-only')]),
    Stage('search', 'search the trained supernet and export the best architectures',
          lambda p: [_search(p)]),
    Stage('datasets', 'small COCO / ADE20K / Cityscapes in their real layouts (generated, no download)',
          lambda p: [_python('tools/make_tiny_datasets.py', p.plan.data_root, '--size', p.plan.data_size)]),
    Stage('transfer', 'transfer benchmark: fine-tune and test searched architectures on the small generated data, '
                      'one job per core', _transfer_workers),
    Stage('leaderboard', 'leaderboard of what just ran, beside the paper rows',
          lambda p: [_python('tools/leaderboard.py', p.transfer, p.plan.paper_records, '--out', p.leaderboard)]),
)


def expected_seconds() -> dict[str, float]:
    """Per-stage wall times of the last e2e benchmark, for the ETA in each stage header."""
    try:
        return {row['stage']: row['seconds'] for row in json.loads(REFERENCE_TIMINGS.read_text())['stages']}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _run_side_by_side(commands: list[list[str]], env: dict, threads: int, logs: list[Path]) -> int:
    """Run ``commands`` at once, each on ``threads`` threads with its whole output in its log; their progress lines
    (:data:`WORKER_ECHO`) are echoed as ``[worker k]``. Returns the first non-zero exit status, else 0."""
    thread_env = dict(env, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    processes = []
    for k, (command, log) in enumerate(zip(commands, logs)):
        log.parent.mkdir(parents=True, exist_ok=True)
        print(f'$ {shlex.join(str(c) for c in command)}  > {log}', flush=True)
        processes.append((k, log, subprocess.Popen(command, cwd=ROOT, env=thread_env, stdout=subprocess.PIPE,
                                                   stderr=subprocess.STDOUT, text=True, bufsize=1)))

    def pump(k: int, log: Path, process: subprocess.Popen) -> None:
        with log.open('w') as handle:
            for line in process.stdout:
                handle.write(line)
                handle.flush()
                if line.startswith(WORKER_ECHO):
                    print(f'[worker {k}] {line.rstrip()}', flush=True)

    pumps = [threading.Thread(target=pump, args=item) for item in processes]
    for thread in pumps:
        thread.start()
    for thread in pumps:
        thread.join()
    codes = [process.wait() for _, _, process in processes]
    return next((code for code in codes if code != 0), 0)


def _children_cpu_seconds() -> float:
    """CPU time (user + system) of the finished child processes: with it, a run on cores shared with other work
    still tells what the stages cost."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_stages(paths: Paths, stages: Sequence[Stage] = STAGES) -> list[dict]:
    """Run the stages in order, printing k/n headers with ETAs; returns [{stage, seconds, cpu_seconds}] (also in
    timings.json)."""
    expected = expected_seconds()
    timings: list[dict] = []
    paths.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get('PYTHONPATH')])))
    start_all = time.perf_counter()
    for k, stage in enumerate(stages, 1):
        eta = expected.get(stage.name)
        eta_text = f', about {_clock(eta)} on 2 quiet cores' if eta else ''
        print(f'\n== stage {k}/{len(stages)}: {stage.title}{eta_text}', flush=True)
        commands = stage.commands(paths)
        start, cpu_start = time.perf_counter(), _children_cpu_seconds()
        if len(commands) == 1:
            print('$ ' + shlex.join(str(c) for c in commands[0]), flush=True)
            returncode = subprocess.run(commands[0], cwd=ROOT, env=env).returncode
        else:
            logs = [paths.work / f'{stage.name}_worker{i}.log' for i in range(len(commands))]
            returncode = _run_side_by_side(commands, env, paths.plan.threads_per_worker, logs)
        seconds = round(time.perf_counter() - start, 1)
        timings.append(dict(stage=stage.name, seconds=seconds,
                            cpu_seconds=round(_children_cpu_seconds() - cpu_start, 1)))
        (paths.work / 'timings.json').write_text(json.dumps(dict(stages=timings), indent=2) + '\n')
        if returncode != 0:
            raise SystemExit(f'error: stage {k}/{len(stages)} ({stage.name}) failed with exit code '
                             f'{returncode}; its output is above, rerun `make demo` to continue '
                             'from what finished')
        print(f'== stage {k}/{len(stages)} done in {_clock(seconds)} '
              f'(total {_clock(time.perf_counter() - start_all)})', flush=True)
    return timings


def summary(paths: Paths) -> str:
    """Where every output is."""
    lines = ['', '== done. Outputs:',
             f'  ranked architectures   {paths.ranked}',
             f'  exported backbones     {paths.export}/ (timm *{TIMM_SUFFIX}, OpenMMLab *{BACKBONE_SUFFIX})',
             f'  transfer runs          {paths.transfer}/ (one record.json + test_metrics.json per run)',
             f'  leaderboard            {paths.leaderboard / "leaderboard.md"}',
             f'  leaderboard page       file://{(paths.leaderboard / "leaderboard.html").resolve()}',
             f'  stage timings          {paths.work / "timings.json"}']
    return '\n'.join(lines)


# --- the last screen: what the run showed, from its records -----------------------------------------------------
def constant_prediction_miou(config: str | Path) -> float | None:
    """mIoU (percent) of predicting the most frequent class at every pixel of ``config``'s test annotations, as
    mmseg scores it (IoU per class over the whole split, averaged over the classes present): the chance level a
    segmentation result must clear. None when the annotations cannot be read."""
    try:
        cfg = Config.fromfile(str(ROOT / config))
        dataset = cfg.test_dataloader.dataset
        folder = Path(dataset.data_root) / dataset.data_prefix.seg_map_path
        if not folder.is_absolute():
            folder = ROOT / folder
        reduce_zero = any(step.get('reduce_zero_label') for step in dataset.pipeline
                          if step.get('type') == 'LoadAnnotations')
        counts = np.zeros(256, dtype=np.int64)
        for png in sorted(folder.glob('*.png')):
            counts += np.bincount(np.asarray(Image.open(png)).ravel(), minlength=256)[:256]
    except (OSError, KeyError, AttributeError, ValueError):
        return None
    if reduce_zero:  # label 0 is ignored, 1..255 become 0..254
        counts = counts[1:]
    counts = counts[:255]  # 255 is the ignore index
    if counts.sum() == 0:
        return None
    return 100.0 * counts.max() / counts.sum() / np.count_nonzero(counts)


def permutation_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided p-value of the exact permutation test of mean(a) - mean(b): the share of all ways to split the
    pooled values into groups of len(a) and len(b) whose means differ at least as much. Two seeds against two can
    never go below 1/3, however far apart they are."""
    pooled, size = [*a, *b], len(a)
    observed = abs(statistics.fmean(a) - statistics.fmean(b))
    splits = list(itertools.combinations(range(len(pooled)), size))
    extreme = 0
    for chosen in splits:
        inside = [pooled[i] for i in chosen]
        outside = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        extreme += abs(statistics.fmean(inside) - statistics.fmean(outside)) >= observed - 1e-9
    return extreme / len(splits)


def _seeds_text(row: Row, metric: str) -> str:
    return ', '.join(f'{r.metrics[metric]:.1f}' for r in row.records)


def _spread_text(row: Row) -> str:
    stat = row.primary
    spread = f' ± {stat.std:.1f}' if stat.std is not None else ' (one seed: no spread)'
    return f'{stat.mean:5.1f}{spread}'


def _board_findings(board: Board, candidates: int | None, significance: float) -> list[str]:
    metric = board.task.primary
    metric_label = 'mIoU' if metric == 'mIoU' else metric
    rows = sorted(board.rows, key=lambda r: (r.first.provenance.rank or 0, r.first.arch))
    seeds = sorted({s for row in rows for s in row.seeds})
    first = rows[0].first
    schedule = ', '.join(f'{v} {k}' for k, v in (first.schedule or {}).items())
    lines = [f'  {board.title}, {schedule}, seeds {", ".join(map(str, seeds))}: {metric_label} mean ± std '
             f'over seeds (each seed)']
    of = f' of {candidates}' if candidates else ''
    for row in rows:
        prov = row.first.provenance
        score = f'{prov.score_name or "score"} {prov.score:.1f}' if prov.score is not None else 'no search score'
        rank = f'rank {prov.rank}{of}' if prov.rank else row.first.name
        lines.append(f'    {rank:<14} {row.first.arch:<10} {score:<12} {_spread_text(row)}  ({_seeds_text(row, metric)})')
    chance = constant_prediction_miou(first.config) if metric == 'mIoU' and first.config else None
    if chance is not None:
        lines.append(f'    chance: the most frequent class everywhere scores {chance:.1f} mIoU')
    sentences = []
    lowest = min(row.primary.mean for row in rows)
    if chance is not None and lowest > chance:
        sentences.append(f'every architecture scores {lowest:.1f} {metric_label} or more, {lowest / chance:.1f} '
                         f'times chance ({chance:.1f})')
    elif chance is not None:
        sentences.append(f'an architecture scores {lowest:.1f} {metric_label}, no better than chance '
                         f'({chance:.1f}): its transfer learned nothing measurable')
    if len(rows) >= 2:
        best, worst = rows[0], rows[-1]
        gap = best.primary.mean - worst.primary.mean
        best_values = [r.metrics[metric] for r in best.records]
        worst_values = [r.metrics[metric] for r in worst.records]
        who = (f'the search\'s best ({best.first.arch}) {"beats" if gap > 0 else "trails"} its worst '
               f'({worst.first.arch}) by {abs(gap):.1f} {metric_label}')
        p = permutation_p(best_values, worst_values)
        seeds_text = f'{len(best_values)} + {len(worst_values)} seeds'
        apart = min(best_values) > max(worst_values) or max(best_values) < min(worst_values)
        if p <= significance:
            sentences.append(f'{who} (exact permutation test over the {seeds_text}: p = {p:.3f})')
        elif apart:
            sentences.append(f'{who}; their seeds do not overlap, but {seeds_text} cannot show that the gap is real '
                             f'(exact permutation test: p = {p:.2f}, above {significance})')
        else:
            sentences.append(f'{who}, but their seeds overlap (exact permutation test: p = {p:.2f}): this run '
                             'cannot tell them apart')
    if len(rows) < MIN_CORRELATION_ITEMS:
        sentences.append(f'{len(rows)} architectures are too few for a rank correlation between search score and '
                         f'transfer (it takes {MIN_CORRELATION_ITEMS}), so none is stated')
    else:
        sentences.append(f'the rank correlation of {len(rows)} architectures is in the leaderboard\'s correlation '
                         'table')
    text = '; '.join(sentences) + '.'
    lines.extend(textwrap.wrap(text[0].upper() + text[1:], SCREEN_WIDTH, initial_indent='  ',
                               subsequent_indent='  '))
    return lines


def findings(paths: Paths) -> str:
    """The last screen: what was searched, the best architecture, the transfer numbers with their seed spread and
    what they allow one to conclude, all read from the run's ranked table and result records."""
    lines = ['', '== what this run showed']
    candidates = None
    try:
        ranked = SearchWorkDir(paths.search).ranked_rows()
    except (OSError, ValueError):
        ranked = []
    boards = build_boards(unique_records(load_records([paths.transfer]))[0]) if paths.transfer.is_dir() else []
    if ranked:
        candidates, best = len(ranked), ranked[0]
        names = {row.first.provenance.score_name for board in boards for row in board.rows} - {None}
        label = names.pop() if len(names) == 1 else 'score'
        scores = [row['score'] for row in ranked if isinstance(row.get('score'), (int, float))]
        spread = f', {label} {min(scores):.1f} to {max(scores):.1f}' if scores else ''
        best_score = f' ({label} {best["score"]:.1f})' if isinstance(best.get('score'), (int, float)) else ''
        lines.extend(textwrap.wrap(
            f'searched: {candidates} architectures of the supernet of {paths.plan.search_config} '
            f'({paths.supernet_epochs} epochs){spread}; best {best["arch"]}{best_score}', SCREEN_WIDTH,
            initial_indent='  ', subsequent_indent='    '))
    if not boards:
        lines.append(f'  no transfer records under {paths.transfer}: nothing to conclude')
    for board in boards:
        lines.extend(_board_findings(board, candidates, paths.plan.significance))
    return '\n'.join(lines)


def _clock(seconds: float) -> str:
    return f'{int(seconds) // 60} min {int(seconds) % 60:02d} s'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', default=DEFAULT_CONFIG, help='the demo config (default: %(default)s)')
    parser.add_argument('--work-dir', default=os.environ.get('WORK_DIR', 'work_dirs/demo'))
    parser.add_argument('--epochs', type=int, default=os.environ.get('DEMO_EPOCHS') or None,
                        help='supernet training epochs (default: the demo config\'s; the search config\'s cosine '
                             'schedule follows them)')
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs must be >= 1, got {args.epochs}')
    paths = Paths(work=Path(args.work_dir).resolve(), epochs=args.epochs, plan=Plan.load(args.config))
    run_stages(paths)
    print(summary(paths))
    print(findings(paths))
    return 0


if __name__ == '__main__':
    sys.exit(main())
