"""Bad input to every tool under tools/: one line on stderr that names the problem and the fix, exit status 2, no
traceback, and no file damaged or left half-written (the convention of :mod:`pinas.utils.cli`).

Each case calls the tool's ``main(argv)`` in this process; a few at the end run the real command lines."""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import timm
import torch

from pinas.models import SuperResNeSt, Track1Supernet
from pinas.spaces import build_space

ROOT = Path(__file__).resolve().parents[2]
SMOKE_SEG = ROOT / 'configs/smoke/deeplabv3_pinas-tiny-d8_ade-tiny-64x64.py'
TRACK1_SEG = ROOT / 'configs/smoke/track1/deeplabv3_pinas-track1-d8_ade-tiny-64x64.py'
PAPER_RECORDS = ROOT / 'results/leaderboard/paper'
SEARCH_CFG = ROOT / 'configs/search/pinas_embedded.py'
TINY = 'pinas_resnest_tiny'
TINY_ARCH = '302113'
CORRUPT_BYTES = 14  # what the probe overwrote inside an exported .pth
SUBPROCESS_TIMEOUT = 120
CASE_TIMEOUT = 120

def tool_main(name: str) -> Callable:
    """``main`` of ``tools/<name>.py``."""
    return importlib.import_module(f'tools.{name}').main


def run_tool(name: str, argv) -> int:
    try:
        return tool_main(name)([str(a) for a in argv])
    except SystemExit as exit:  # argparse
        return exit.code


def save_supernet(path: Path, space: str = TINY) -> Path:
    supernet = SuperResNeSt(space, num_classes=10)
    state = {f'supernet.{k}': v for k, v in supernet.state_dict().items()}
    torch.save(dict(state_dict=state, meta=dict(epoch=1)), path)
    return path


def corrupt(source: Path, target: Path) -> Path:
    """``source`` with bytes overwritten in the middle of its largest tensor."""
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle:middle + CORRUPT_BYTES] = bytes(CORRUPT_BYTES)
    target.write_bytes(bytes(data))
    return target


def write_rows(path: Path, rows) -> Path:
    path.write_text(json.dumps(rows))
    return path


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    """Every file the cases read, made once: good and damaged checkpoints, tables, dataset roots, a work dir."""
    root = tmp_path_factory.mktemp('inputs')
    good = save_supernet(root / 'epoch_1.pth')
    (root / 'truncated.pth').write_bytes(good.read_bytes()[:good.stat().st_size // 2])
    (root / 'text.pth').write_text('this is not a checkpoint\n')
    corrupt(good, root / 'corrupted.pth')
    torch.save(dict(state_dict={'backbone.conv1.0.weight': torch.zeros(4, 3, 3, 3),
                                'neck.lateral_convs.0.conv.weight': torch.zeros(4, 4, 1, 1)}), root / 'detector.pth')
    arch_file = root / 'broken_arch.json'
    arch_file.write_text('{"arch": ')
    tables = root / 'tables'
    tables.mkdir()
    codes = ['000000', '111111', '222222', '333333', '012301']
    write_rows(tables / 'scores.json', [dict(arch=c, score=float(i)) for i, c in enumerate(codes)])
    write_rows(tables / 'truth.json', [dict(arch=c, score=float(i) * 2) for i, c in enumerate(codes)])
    (tables / 'not_json.json').write_text('{"arch": "000000", "score": ')
    (tables / 'empty.json').write_text('[]')
    write_rows(tables / 'other_archs.json', [dict(arch=c, score=1.0) for c in ('001122', '112233', '223300')])
    write_rows(tables / 'nan.json', [dict(arch=c, score=float('nan')) for c in codes])
    write_rows(tables / 'two.json', [dict(arch=c, score=float(i)) for i, c in enumerate(codes[:2])])
    (tables / 'archs_bad.txt').write_text('000000\n0123\n')  # the default space's codes have 6 digits
    datasets = root / 'datasets'
    (datasets / 'empty_coco').mkdir(parents=True)
    for split in ('training', 'validation'):
        (datasets / 'ade_empty_split' / 'images' / split).mkdir(parents=True)
    work = root / 'work'  # a finished run's work dir: its config copy must survive a mistyped command
    work.mkdir()
    (work / 'pinas_embedded.py').write_text('# the config copy of the finished run\n')
    gt_runs = root / 'gt.runs.json'  # ground-truth runs made with other settings
    gt_runs.write_text(json.dumps(dict(meta=dict(space='other'), runs={})))
    (root / 'a_file').write_text('a file where a directory is expected\n')
    (root / 'a_dir').mkdir()
    (root / 'plot_dir.png').mkdir()
    (root / 'read_only').mkdir(mode=0o555)
    save_track1_supernet(root / 'track1.pth')
    track1 = build_space('track1_resnet20')
    track1_codes = [track1.format(track1.sample(random.Random(i))) for i in range(5)]
    write_rows(tables / 'truth_track1.json', [dict(arch=c, score=float(i)) for i, c in enumerate(track1_codes)])
    (tables / 'archs_track1.txt').write_text(''.join(f'{c}\n' for c in track1_codes))
    (root / 'benchmark_syntax.py').write_text('entries = [\n')
    return root


def save_track1_supernet(path: Path) -> Path:
    supernet = Track1Supernet('track1_resnet20')
    torch.save(dict(state_dict={f'supernet.{k}': v for k, v in supernet.state_dict().items()},
                    meta=dict(epoch=1)), path)
    return path


def read_only_dir(inputs: Path) -> Path:
    """A path in a directory no one may write into, root included: the inputs' chmod 555 directory, or where root
    ignores that, a directory of sysfs (the kernel refuses new files there)."""
    for candidate in (inputs / 'read_only', Path('/sys/fs')):
        try:
            tempfile.TemporaryFile(dir=candidate).close()
        except OSError:
            return candidate / 'out'
    pytest.skip('no read-only directory on this host')


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    from downstream.datasets import make_tiny_datasets
    root = tmp_path_factory.mktemp('tiny_data')
    make_tiny_datasets(root)
    return root


def loggers_to_capture() -> None:
    """mmengine's loggers outlive a test, their console handlers still writing to an earlier test's captured (now
    closed) stream: point them at this test's."""
    from mmengine.logging import MMLogger
    for logger in MMLogger._instance_dict.values():
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                handler.stream = sys.stdout  # setStream would flush the closed one


@contextlib.contextmanager
def time_limit(seconds: int):
    def expire(*_):
        raise TimeoutError(f'still running after {seconds} s: the bad input was accepted')
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


@dataclass(frozen=True)
class Case:
    name: str
    tool: str
    argv: Callable[[Path], list]  # given the inputs directory
    message: str  # regex the error line must match: the problem and the fix


CASES = [
    # configs
    Case('config missing', 'search', lambda d: [d / 'missing.py'], r'missing\.py does not exist; pass a config file'),
    Case('config syntax error', 'search', lambda d: [d / 'syntax.py'], r'syntax error at line 1.*fix the file'),
    Case('cfg-options key mistyped', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', d / 'work', '--cfg-options', 'train_cfg.max_epochz=1'],
         r'train_cfg has no key .max_epochz.; did you mean train_cfg\.max_epochs\?'),
    Case('cfg-options section mistyped', 'train', lambda d: [SMOKE_SEG, '--cfg-options', 'modell.backbone.arch=0'],
         r'has no key .modell.; did you mean model\?'),
    Case('cfg-options text for a number', 'search', lambda d: [SEARCH_CFG, '--cfg-options', 'train_cfg.max_epochs=two'],
         r'train_cfg\.max_epochs is a number \(\d+ in the config\); pass a number'),
    Case('cfg-options value unreadable', 'search',
         lambda d: [SEARCH_CFG, '--cfg-options', 'model.neck.in_channels=[1,2'],
         r"--cfg-options: cannot read the value of .model\.neck\.in_channels=\[1,2.: brackets and quotes must pair"),
    Case('cfg-options value for a whole section', 'search',
         lambda d: [SEARCH_CFG, '--cfg-options', "search.strategy=dict(type='random')"],
         r"search\.strategy is a section of the config, not a value; set its keys one at a time "
         r"\(search\.strategy\.type"),
    Case('cfg-options without a value', 'train', lambda d: [SMOKE_SEG, '--cfg-options', 'train_cfg.max_iters'],
         r"--cfg-options: 'train_cfg\.max_iters' is not KEY=VALUE"),
    Case('backbone.pretrained missing', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', f'model.backbone.pretrained={d}/none.pth'],
         r'backbone checkpoint .*none\.pth does not exist; pass the exported'),
    Case('init_cfg.checkpoint on a config without init', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', f'model.backbone.init_cfg.checkpoint={d}/x.pth'],
         r'backbone checkpoint .*x\.pth does not exist'),
    Case('backbone.pretrained damaged', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', f'model.backbone.pretrained={d}/corrupted.pth'],
         r'corrupted\.pth is damaged.*checksum.*write it again'),
    # architecture codes
    Case('arch code too short', 'arch_info', lambda d: ['3013', '--space', 'pinas_resnest50d'], r'needs 16 digits'),
    Case('arch digit out of range', 'arch_info', lambda d: ['3013231203213039'], r'position 15 is 9.*each 0-3'),
    Case('arch code with letters', 'arch_info', lambda d: ['30132312032130ab'], r'not a string of digits.*16 digits'),
    Case('arch code empty', 'arch_info', lambda d: [''], r"code '' is not a string of digits"),
    Case('arch code of the other space', 'arch_info', lambda d: ['311021', '--space', 'track1_resnet20'],
         r'track1_resnet20.*e\.g\. .16-'),
    Case('arch file not JSON', 'export_arch',
         lambda d: [d / 'epoch_1.pth', d / 'broken_arch.json', '--space', TINY, '--out-dir', d / 'out'],
         r'broken_arch\.json is not valid JSON'),
    Case('unknown space', 'arch_info', lambda d: ['311021', '--space', 'pinas_tiny'],
         r"invalid choice: 'pinas_tiny' \(choose from .*pinas_resnest_tiny"),
    Case('input size 0', 'arch_info', lambda d: ['311021', '--space', TINY, '--input-size', '0'],
         r'--input-size: must be at least 1'),
    # checkpoints
    Case('checkpoint missing', 'export_arch', lambda d: [d / 'none.pth', TINY_ARCH, '--space', TINY],
         r'none\.pth does not exist'),
    Case('checkpoint truncated', 'export_arch', lambda d: [d / 'truncated.pth', TINY_ARCH, '--space', TINY,
                                                           '--out-dir', d / 'out'], r'truncated\.pth is truncated'),
    Case('checkpoint is a text file', 'export_arch', lambda d: [d / 'text.pth', TINY_ARCH, '--space', TINY,
                                                                '--out-dir', d / 'out'],
         r'text\.pth is not a torch checkpoint.*pass the \.pth file'),
    Case('checkpoint bytes changed', 'export_arch', lambda d: [d / 'corrupted.pth', TINY_ARCH, '--space', TINY,
                                                               '--out-dir', d / 'out'], r'corrupted\.pth is damaged'),
    Case("checkpoint of the other space", 'export_arch',
         lambda d: [d / 'epoch_1.pth', '3013231203213032', '--out-dir', d / 'out'],
         r'epoch_1\.pth holds a supernet of another space than pinas_resnest50d: conv1\.0\.weight has shape '
         r'\(8, 3, 3, 3\), pinas_resnest50d needs \(32, 3, 3, 3\); pass the --space it was trained on'),
    Case('detector checkpoint given for a supernet', 'export_arch',
         lambda d: [d / 'detector.pth', TINY_ARCH, '--space', TINY, '--out-dir', d / 'out'],
         r'holds no supernet weights.*backbone\..*pass a checkpoint of tools/search\.py'),
    Case('space without backbones exported', 'export_arch',
         lambda d: [d / 'epoch_1.pth', '-'.join(['16'] * 20), '--space', 'track1_resnet20', '--out-dir', d / 'out'],
         r'do not export as backbones'),
    Case('test checkpoint missing', 'test', lambda d: [SMOKE_SEG, d / 'none.pth', '--work-dir', 'w'],
         r'none\.pth does not exist; pass a \.pth written by tools/train\.py'),
    Case('test checkpoint truncated', 'test', lambda d: [SMOKE_SEG, d / 'truncated.pth', '--work-dir', 'w'],
         r'truncated\.pth is truncated'),
    Case('resume from a text file', 'train', lambda d: [SMOKE_SEG, '--work-dir', 'w', '--resume', d / 'text.pth'],
         r'text\.pth is not a torch checkpoint'),
    # dataset roots
    Case('dataset root missing', 'prepare_dataset', lambda d: ['check', 'coco', d / 'no_coco'],
         r'COCO 2017 root .*no_coco does not exist; download'),
    Case('dataset layout wrong', 'prepare_dataset', lambda d: ['check', 'coco', d / 'datasets/empty_coco'],
         r'missing .*instances_train2017\.json.*download'),
    Case('dataset split empty', 'prepare_dataset', lambda d: ['check', 'ade', d / 'datasets/ade_empty_split'],
         r'no files found under .*images/training; unpack'),
    Case('training data root missing', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', f'train_dataloader.dataset.data_root={d}/x'],
         r'train_dataloader: .*x does not exist; put the dataset there'),
    # rank tables
    Case('rank table not JSON', 'rank_eval', lambda d: [d / 'tables/not_json.json', d / 'tables/truth.json'],
         r'not_json\.json is not valid JSON'),
    Case('rank table empty', 'rank_eval', lambda d: [d / 'tables/empty.json', d / 'tables/truth.json'],
         r'empty\.json'),
    Case('rank tables share no architecture', 'rank_eval',
         lambda d: [d / 'tables/other_archs.json', d / 'tables/truth.json'],
         r'only 0 architecture\(s\) of .*appear in .*check that both tables describe the same search space'),
    Case('rank table of NaN scores', 'rank_eval', lambda d: [d / 'tables/nan.json', d / 'tables/truth.json'],
         r'(?i)nan'),
    Case('rank tables with two architectures', 'rank_eval',
         lambda d: [d / 'tables/two.json', d / 'tables/truth.json'], r'at least 3'),
    Case('rank plot format unknown', 'rank_eval',
         lambda d: [d / 'tables/scores.json', d / 'tables/truth.json', '--plot', d / 'plot.xyz'],
         r'matplotlib writes no xyz files; end the name with one of .*png'),
    # ground truth: shards and sample
    Case('shard out of range', 'make_ground_truth', lambda d: ['--shard', '4/4', '--out', d / 'gt.json'],
         r'--shard: 4/4: K of K/N must be in 0\.\.N-1'),
    Case('shard not K/N', 'make_ground_truth', lambda d: ['--shard', 'x', '--out', d / 'gt.json'],
         r"--shard: takes K/N, e\.g\. 0/4, got 'x'"),
    Case('ground truth of zero architectures', 'make_ground_truth',
         lambda d: ['--num-archs', '0', '--out', d / 'g.json'], r'--num-archs: must be at least 1'),
    Case('more architectures than the space has', 'make_ground_truth',
         lambda d: ['--num-archs', '5000', '--out', d / 'g.json'], r'has only 4096 architectures'),
    Case('ground-truth runs of other settings', 'make_ground_truth',
         lambda d: ['--num-archs', '3', '--out', d / 'gt.json'], r'gt\.runs\.json was produced with other settings'),
    Case('ground-truth architecture list missing', 'make_ground_truth',
         lambda d: ['--archs', d / 'none.txt', '--out', d / 'g.json'], r'--archs .*none\.txt does not exist'),
    Case('ground-truth architecture list with a bad code', 'make_ground_truth',
         lambda d: ['--archs', d / 'tables/archs_bad.txt', '--out', d / 'g.json'], r'archs_bad\.txt line 2: '),
    Case('device this host lacks', 'make_ground_truth', lambda d: ['--device', 'tpu0', '--out', d / 'g.json'],
         r"--device: 'tpu0' is not a torch device; use cpu, cuda or cuda:N"),
    Case('GPU on a CPU host', 'make_ground_truth', lambda d: ['--device', 'cuda:3', '--out', d / 'g.json'],
         r'--device: cuda:3: this host has \d+ CUDA device'),
    Case('unknown scorer, before training', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'search.scorer.type=top_1'],
         r"search\.scorer\.type='top_1' is not a scorer; choose one of .*top1"),
    Case('recalibration of no batch, before training', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'search.scorer.recalib_batches=0'],
         r'search\.scorer\.recalib_batches=0: BN recalibration needs at least 1 batch'),
    # runs that would do nothing and report success
    Case('search exporting no architecture', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'search.top_n=0'],
         r'search\.top_n=0: the number of best architectures written and exported must be a whole number >= 1'),
    Case('schedule of zero iterations', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'train_cfg.max_iters=0'],
         r'train_cfg\.max_iters=0: the number of training iterations must be at least 1; set train_cfg\.max_iters'),
    Case('generated dataset of no images', 'make_tiny_datasets', lambda d: [d / 'tiny', '--num-train', '0'],
         r'--num-train: must be at least 1'),
    Case('generated dataset over a folder of other data', 'make_tiny_datasets', lambda d: [d / 'datasets'],
         r"datasets holds '\w+', which is not part of the generated COCO / ADE20K / Cityscapes set .*; give an "
         r'empty or new directory'),
    Case('ground-truth table of no finished run', 'make_ground_truth',
         lambda d: ['--collect', '--num-archs', '3', '--out', d / 'fresh.json'],
         r'no architecture of .*fresh\.runs\.json has finished every seed \(0 1\) yet'),
    Case('ground-truth data config that defines no data', 'make_ground_truth',
         lambda d: ['--num-archs', '3', '--out', d / 'fresh.json',
                    '--data-config', ROOT / 'configs/ranking/ground_truth.py'],
         r'--data-config .*ground_truth\.py defines neither standalone_data .* nor data_root and synthetic'),
    Case('ground-truth dataset that is not on this machine', 'make_ground_truth',
         lambda d: ['--space', 'track1_resnet20', '--num-archs', '3', '--out', d / 'fresh.json',
                    '--data-config', ROOT / 'configs/ranking/ground_truth_cifar100.py'],
         r'CIFAR-100 not found at data/cifar100/cifar-100-python; download it with torchvision'),
    Case('ground-truth runs joined into a training run', 'make_ground_truth',
         lambda d: ['--num-archs', '3', '--out', d / 'fresh.json', '--runs-from', d / 'other.runs.json'],
         r'--runs-from joins finished runs into a table and trains nothing; add --collect'),
    Case('ground-truth runs joined from a missing file', 'make_ground_truth',
         lambda d: ['--collect', '--num-archs', '3', '--out', d / 'fresh.json', '--runs-from', d / 'none.runs.json'],
         r'none\.runs\.json does not exist; give the \.runs\.json file of a tools/make_ground_truth\.py table'),
    # launcher arguments
    Case('pytorch launcher outside torchrun', 'search', lambda d: [SEARCH_CFG, '--launcher', 'pytorch'],
         r'--launcher pytorch needs RANK.*start the job with torchrun'),
    Case('slurm launcher outside srun', 'test', lambda d: [SMOKE_SEG, d / 'epoch_1.pth', '--launcher', 'slurm'],
         r'--launcher slurm needs SLURM_PROCID.*srun'),
    Case('unknown launcher', 'train', lambda d: [SMOKE_SEG, '--launcher', 'ssh'], r"--launcher: invalid choice: 'ssh'"),
    # config values a library would reject later: the whole resolved config is checked before anything is built
    Case('train_cfg key the epoch loop does not take', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'train_cfg.epochs=1'],
         r"train_cfg\.epochs: EpochBasedTrainLoop takes no 'epochs' \(it takes max_epochs, .*\); "
         r"did you mean train_cfg\.max_epochs\?"),
    Case('train_cfg key the iteration loop does not take', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'train_cfg.epochs=1'],
         r"train_cfg\.epochs: IterBasedTrainLoop takes no 'epochs' \(it takes max_iters, "),
    Case('misspelt backbone', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'model.backbone.type=PiNASResNest'],
         r"model\.backbone\.type='PiNASResNest' is not registered in mmseg's models or task utils or weight "
         r"initializers; did you mean model\.backbone\.type='PiNASResNeSt'\?"),
    Case('misspelt transform', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'train_dataloader.dataset.pipeline.3.type=RandomCrp'],
         r"train_dataloader\.dataset\.pipeline\.3\.type='RandomCrp' is not registered in mmseg's transforms; did you "
         r"mean train_dataloader\.dataset\.pipeline\.3\.type='RandomCrop'\?"),
    Case('misspelt metric, which training would build only at its end', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'test_evaluator.type=IoUMetrc'],
         r"test_evaluator\.type='IoUMetrc' is not registered in mmseg's metrics or evaluator; did you mean "
         r"test_evaluator\.type='IoUMetric'\?"),
    Case('misspelt optimizer', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'optim_wrapper.optimizer.type=SGDD'],
         r"optim_wrapper\.optimizer\.type='SGDD' is not registered in mmseg's optimizers; did you mean "
         r"optim_wrapper\.optimizer\.type='SGD'\?"),
    Case('misspelt torchvision transform of a supernet', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options',
                    'train_dataloader.dataset.pipeline.3.type=RandomHorizontalFlp'],
         r"train_dataloader\.dataset\.pipeline\.3\.type: unknown pipeline step type 'RandomHorizontalFlp': use a "
         r"torchvision\.transforms class"),
    Case('fractional epochs', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'train_cfg.max_epochs=1.5'],
         r'train_cfg\.max_epochs=1\.5: the number of training epochs must be a whole number; pass e\.g\. '
         r'train_cfg\.max_epochs=1'),
    Case('zero epochs', 'search', lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'train_cfg.max_epochs=0'],
         r'train_cfg\.max_epochs=0: the number of training epochs must be at least 1'),
    Case('fractional iterations', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'train_cfg.max_iters=1.5'],
         r'train_cfg\.max_iters=1\.5: the number of training iterations must be a whole number'),
    Case('negative batch size', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'train_dataloader.batch_size=-1'],
         r'train_dataloader\.batch_size=-1: a batch size must be at least 1; set train_dataloader\.batch_size'),
    Case('batch size 0', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options', 'train_dataloader.batch_size=0'],
         r'train_dataloader\.batch_size=0: a batch size must be at least 1'),
    Case('scoring batch size 0, before training', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'search.data.batch_size=0'],
         r'search\.data\.batch_size=0: a batch size must be at least 1'),
    Case('zero-cost batch size 0', 'zero_cost',
         lambda d: [TINY, d / 'tables/scores.json', '--out', d / 'zc', '--cfg-options', 'zero_cost.batch_size=0'],
         r'zero_cost\.batch_size=0: a batch size must be at least 1'),
    # outputs: a file where a directory is expected, a read-only directory, a directory where a file is expected
    Case('search work dir is a file', 'search', lambda d: [SEARCH_CFG, '--work-dir', d / 'a_file'],
         r'work_dir \(--work-dir\) .*a_file is a file, where a directory is expected'),
    Case('search work dir read-only', 'search', lambda d: [SEARCH_CFG, '--work-dir', read_only_dir(d)],
         r'work_dir \(--work-dir\) .*out: .* is a read-only directory .*; pass a directory you can write'),
    Case('train work dir under a file', 'train', lambda d: [SMOKE_SEG, '--work-dir', d / 'a_file/run'],
         r'work_dir \(--work-dir\) .*a_file/run: .*a_file is a file, not a directory'),
    Case('train work dir read-only', 'train', lambda d: [SMOKE_SEG, '--work-dir', read_only_dir(d)],
         r'is a read-only directory'),
    Case('export directory is a file', 'export_arch',
         lambda d: [d / 'epoch_1.pth', TINY_ARCH, '--space', TINY, '--out-dir', d / 'a_file'],
         r'--out-dir .*a_file is a file, where a directory is expected'),
    Case('export directory read-only', 'export_arch',
         lambda d: [d / 'epoch_1.pth', TINY_ARCH, '--space', TINY, '--out-dir', read_only_dir(d)],
         r'--out-dir .* is a read-only directory'),
    Case('ground truth under a file', 'make_ground_truth',
         lambda d: ['--num-archs', '2', '--seeds', '0', '--out', d / 'a_file/gt.json'],
         r'--out .*a_file/gt\.json: .*a_file is a file, not a directory'),
    Case('ground truth in a read-only directory', 'make_ground_truth',
         lambda d: ['--num-archs', '2', '--seeds', '0', '--out', read_only_dir(d) / 'gt.json'],
         r'--out .*gt\.json: .* is a read-only directory'),
    Case('ground truth --out is a directory', 'make_ground_truth',
         lambda d: ['--num-archs', '2', '--seeds', '0', '--out', d / 'a_dir'],
         r'--out .*a_dir is a directory, where a file is expected; pass a file name, e\.g\. .*a_dir/ground_truth'),
    Case('leaderboard --out is a file', 'leaderboard', lambda d: [PAPER_RECORDS, '--out', d / 'a_file'],
         r'--out .*a_file is a file, where a directory is expected'),
    Case('leaderboard --out read-only', 'leaderboard', lambda d: [PAPER_RECORDS, '--out', read_only_dir(d)],
         r'--out .* is a read-only directory'),
    Case('generated datasets into a file', 'make_tiny_datasets', lambda d: [d / 'a_file'],
         r'OUT_DIR .*a_file is a file, where a directory is expected'),
    Case('generated datasets into a read-only directory', 'make_tiny_datasets', lambda d: [read_only_dir(d)],
         r'OUT_DIR .* is a read-only directory'),
    Case('rank metrics --out is a directory', 'rank_eval',
         lambda d: [d / 'tables/scores.json', d / 'tables/truth.json', '--out', d / 'a_dir'],
         r'--out .*a_dir is a directory, where a file is expected'),
    Case('rank plot is a directory', 'rank_eval',
         lambda d: [d / 'tables/scores.json', d / 'tables/truth.json', '--plot', d / 'plot_dir.png'],
         r'--plot .*plot_dir\.png is a directory, where a file is expected'),
    # a checkpoint where a table is expected, tables of another space
    Case('checkpoint given as the scores table', 'rank_eval', lambda d: [d / 'epoch_1.pth', d / 'tables/truth.json'],
         r'epoch_1\.pth is a torch checkpoint, not a table; pass a ranked table'),
    Case('checkpoint given as a leaderboard scores table', 'leaderboard',
         lambda d: [PAPER_RECORDS, '--out', d / 'lb', '--scores', f'spos:top1={d / "epoch_1.pth"}'],
         r'--scores spos:top1: .*epoch_1\.pth is a torch checkpoint, not a table'),
    Case('ground truth of another space', 'rank_eval',
         lambda d: [d / 'tables/scores.json', d / 'tables/truth_track1.json'],
         r'only 0 architecture\(s\) of .*check that both tables describe the same search space'),
    Case('ground-truth architectures of another space', 'make_ground_truth',
         lambda d: ['--archs', d / 'tables/archs_track1.txt', '--seeds', '0', '--out', d / 'g.json'],
         r'--archs .*archs_track1\.txt line 1: '),
    Case('rank bootstrap negative', 'rank_eval',
         lambda d: [d / 'tables/scores.json', d / 'tables/truth.json', '--bootstrap', '-1'],
         r'bootstrap resamples must be an integer >= 0, got -1; pass 0'),
    Case('rank confidence above 1', 'rank_eval',
         lambda d: [d / 'tables/scores.json', d / 'tables/truth.json', '--confidence', '2'],
         r'confidence level must lie strictly between 0 and 1, got 2\.0'),
    # benchmark configs and backbone weights of another space
    Case('benchmark config syntax error', 'benchmark', lambda d: [d / 'benchmark_syntax.py', '--work-dir', 'w'],
         r'benchmark_syntax\.py has a syntax error at line \d+'),
    Case('Track-1 supernet as a ResNeSt backbone', 'train',
         lambda d: [SMOKE_SEG, '--work-dir', 'w', '--cfg-options',
                    f'model.backbone.init_cfg.checkpoint={d}/track1.pth'],
         r'track1\.pth: no PiNASResNeSt weights .*a checkpoint of another network.*pass a ResNeSt supernet of '
         r'pinas_resnest_tiny'),
    Case('ResNeSt supernet as a Track-1 backbone', 'train',
         lambda d: [TRACK1_SEG, '--work-dir', 'w', '--cfg-options',
                    f'model.backbone.init_cfg.checkpoint={d}/epoch_1.pth'],
         r'epoch_1\.pth: no PiNASTrack1ResNet weights .*a checkpoint of another network.*pass a Track-1 supernet'),
    # search settings
    Case('impossible constraint', 'search',
         lambda d: [SEARCH_CFG, '--work-dir', 'w', '--cfg-options', 'search.constraints.max_params_M=0.001'],
         r'no architecture of pinas_resnest_tiny meets the constraint max_params_M=0\.001: the smallest, \d+, has '
         r'params_M [\d.]+; raise search\.constraints\.max_params_M'),
]


@pytest.mark.parametrize('case', CASES, ids=lambda c: c.name)
def test_bad_input_is_one_clear_line(case, inputs, tiny_data, tmp_path, capsys, monkeypatch):
    for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT', 'SLURM_PROCID', 'SLURM_NTASKS'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('PINAS_TINY_DATA', str(tiny_data))
    monkeypatch.chdir(tmp_path)  # a tool's default outputs land here, not in the repository
    (inputs / 'syntax.py').write_text('model = dict(\n')
    before = snapshot(inputs)
    loggers_to_capture()
    with time_limit(CASE_TIMEOUT):  # bad input that slipped through would train for hours
        code = run_tool(case.tool, case.argv(inputs))
    out = capsys.readouterr()
    errors = [line for line in out.err.splitlines() if line.startswith('error:')]
    assert code == 2, out.err[-2000:]
    assert len(errors) == 1, out.err[-2000:]
    assert re.search(case.message, errors[0]), errors[0]
    assert 'Traceback' not in out.out + out.err
    after = snapshot(inputs)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing changed
    assert not [k for k in after if k.endswith('.tmp')]  # nothing half-written


def test_timm_model_names_a_missing_arch_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='arch file .*missing/file.json does not exist'):
        timm.create_model(TINY, arch=str(tmp_path / 'missing/file.json'))


def test_timm_refuses_damaged_pretrained_weights(inputs, tmp_path):
    from pinas.apis import export_architecture
    from pinas.utils.checkpoint import CheckpointError
    files = export_architecture(inputs / 'epoch_1.pth', TINY_ARCH, TINY, tmp_path)
    damaged = corrupt(files['timm'], tmp_path / 'damaged_timm.pth')
    with pytest.raises(CheckpointError, match='damaged'):
        timm.create_model(TINY, arch=TINY_ARCH, num_classes=10, pretrained=True,
                          pretrained_cfg_overlay=dict(file=str(damaged)))


def test_launch_scripts_print_a_usage_line():
    for script, usage in [('dist_search.sh', 'CONFIG GPUS'), ('dist_launch.sh', 'NPROC ENTRY'),
                          ('slurm_launch.sh', 'PARTITION JOB_NAME ENTRY')]:
        result = subprocess.run(['bash', f'tools/{script}'], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 2 and usage in result.stderr and 'unbound' not in result.stderr
    result = subprocess.run(['bash', 'tools/dist_train.sh', 'config.py', 'two'], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 2 and "positive integer, got 'two'" in result.stderr


def test_launch_scripts_use_the_project_python():
    """Without PYTHON and without an active venv, every launcher runs the project's .venv python."""
    for script in ('dist_launch.sh', 'slurm_launch.sh'):
        assert '.venv/bin/python' in (ROOT / 'tools' / script).read_text()
    for script in ('dist_train.sh', 'dist_test.sh', 'dist_search.sh'):
        assert 'dist_launch.sh' in (ROOT / 'tools' / script).read_text()


@pytest.mark.slow
@pytest.mark.parametrize('argv, message', [
    (['tools/search.py', 'configs/search/pinas_embedded.py', '--cfg-options', 'train_cfg.max_epochz=1'],
     'did you mean train_cfg.max_epochs?'),
    (['tools/arch_info.py', '12'], 'needs 16 digits'),
])
def test_command_lines_end_in_one_line_without_traceback(argv, message):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')
    result = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, env=env,
                            timeout=SUBPROCESS_TIMEOUT)
    errors = [line for line in result.stderr.splitlines() if line.startswith('error:')]
    assert result.returncode == 2 and len(errors) == 1 and message in errors[0], result.stderr[-2000:]
    assert 'Traceback' not in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize('script, argv, message', [
    ('dist_train.sh', [SMOKE_SEG, '2', '--cfg-options', 'train_cfg.epochs=1'],
     "train_cfg.epochs: IterBasedTrainLoop takes no 'epochs'"),
    ('dist_search.sh', [SEARCH_CFG, '2', '--cfg-options', 'train_dataloader.batch_size=0'],
     'train_dataloader.batch_size=0: a batch size must be at least 1'),
], ids=['dist_train', 'dist_search'])
def test_a_mistake_under_torchrun_is_the_workers_one_line(script, argv, message, tmp_path):
    """Both workers refuse the config; the user sees their line once, exit 2, and nothing of torchrun's own report
    (its ChildFailedError traceback)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1', PORT=str(free_port()))
    result = subprocess.run(['bash', f'tools/{script}', *map(str, argv), '--work-dir', str(tmp_path / 'w')], cwd=ROOT,
                            capture_output=True, text=True, env=env, timeout=SUBPROCESS_TIMEOUT)
    errors = [line for line in result.stderr.splitlines() if line.startswith('error:')]
    assert result.returncode == 2 and len(errors) == 1 and message in errors[0], result.stderr[-2000:]
    assert 'Traceback' not in result.stdout + result.stderr and 'ChildFailedError' not in result.stderr


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
