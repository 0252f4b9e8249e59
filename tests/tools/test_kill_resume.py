"""kill -9 at a chosen point, then resume: nothing is lost beyond the last checkpoint, nothing is done twice, and no
broken file is left for the next start. A lost peer ends a distributed job with one line instead of a hang.

Each run is a child forked from this process (torch, mmengine and the tools already imported: no start-up cost)
that runs a tool's ``main(argv)`` and SIGKILLs itself when the chosen call is reached; the parent checks the files
the kill left and resumes the job the way a user would, with the same command line.
"""
from __future__ import annotations

import importlib
import itertools
import json
import logging
import os
import re
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

import pytest
import torch
from mmengine.optim import OptimWrapper

import pinas.engine.atomic_backend  # noqa: F401  (registers the backend the configs name)
from pinas.datasets.synthetic import SyntheticSpec, make_synthetic_dataset
from pinas.utils.checkpoint import latest_checkpoint, load_checkpoint_file

pytestmark = pytest.mark.skipif(not hasattr(os, 'fork'), reason='the runs are forked children')

ROOT = Path(__file__).resolve().parents[2]
SPOS = ROOT / 'configs/search/spos_embedded.py'
SMOKE_SEG = ROOT / 'configs/smoke/deeplabv3_pinas-tiny-d8_ade-tiny-64x64.py'
ITERS_PER_EPOCH = 5  # 20 classes x 4 images / batch 16
SEARCH_EVALS = 4
SEG_ITERS = 4  # configs/smoke/_base_/schedules/seg_4it.py; a checkpoint every 2 iterations
CHILD_TIMEOUT = 240
PEER_TIMEOUT_S = 15  # env_cfg.dist_cfg.timeout of the two-process runs: what a hung peer costs
PEER_EXIT_LIMIT_S = 60  # what the issue allows the surviving worker

def tool_main(name: str) -> Callable:
    """``main`` of ``tools/<name>.py``."""
    return importlib.import_module(f'tools.{name}').main


# --- forked runs -------------------------------------------------------------------------------------------------
def fork(body: Callable[[], int], log: Path, env: dict[str, str] | None = None) -> int:
    """Run ``body()`` in a forked child whose output goes to ``log``; returns the child's pid."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        os.environ.update(env or {})
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdout = sys.stderr = open(1, 'w', buffering=1, closefd=False)
        from mmengine.logging import MMLogger
        for logger in MMLogger._instance_dict.values():
            for handler in logger.handlers:
                if type(handler) is logging.StreamHandler:
                    handler.stream = sys.stdout
        torch.set_num_threads(1)
        code = body()
    except BaseException:  # noqa: B036  (the child must never return into pytest)
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        os._exit(code if isinstance(code, int) else 1)


def wait(pid: int, timeout: float = CHILD_TIMEOUT) -> int:
    """The child's wait status; kills it and fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f'child {pid} still ran after {timeout} s')


def run(body: Callable[[], int], log: Path, env: dict[str, str] | None = None) -> int:
    """Run to the end in a child; its exit code (-signal when a signal ended it)."""
    return exit_code(wait(fork(body, log, env)))


def exit_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def killed(status_code: int, log: Path) -> None:
    assert status_code == -signal.SIGKILL, f'exit {status_code}; log:\n' + log.read_text()[-3000:]


def finished(status_code: int, log: Path) -> str:
    text = log.read_text()
    assert status_code == 0, f'exit {status_code}; log:\n' + text[-3000:]
    return text


def kill_at_call(owner, name: str, call: int, how: int = signal.SIGKILL) -> None:
    """The ``call``-th call of ``owner.name`` sends this process ``how`` (SIGKILL: killed; SIGSTOP: hung) before
    the original runs; in a child only."""
    original, calls = getattr(owner, name), itertools.count(1)

    def wrapper(*args, **kwargs):
        if next(calls) == call:
            os.kill(os.getpid(), how)
        return original(*args, **kwargs)
    setattr(owner, name, wrapper)


def kill_while_writing(name: str) -> None:
    """SIGKILL once the atomic write of the file ``name`` has written its temporary file, before the rename."""
    original = os.fsync

    def fsync(fd):
        if f'/.{name}.' in os.readlink(f'/proc/self/fd/{fd}'):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(fd)
    os.fsync = fsync


def temp_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob('.*.tmp'))


# --- supernet training and search ---------------------------------------------------------------------------------
def search_argv(work: Path, data: Path, *extra: str) -> list[str]:
    options = {'train_dataloader.dataset.synthetic.train_per_class': 4,
               'train_dataloader.dataset.synthetic.val_per_class': 2, 'train_dataloader.dataset.root': data,
               'train_dataloader.batch_size': 16, 'train_dataloader.num_workers': 0,
               'train_dataloader.persistent_workers': False, 'train_cfg.max_epochs': 2,
               'default_hooks.logger.interval': 1, 'search.strategy._delete_': True, 'search.strategy.type': 'random',
               'search.max_evals': SEARCH_EVALS, 'search.top_n': 1, 'search.data.batch_size': 16,
               'search.scorer.recalib_batches': 1, 'search.data.recalib.root': data, 'search.data.val.root': data,
               'search.data.recalib.subset': 16, 'search.data.val.subset': 16}
    return [str(SPOS), '--work-dir', str(work), *extra, '--cfg-options', *[f'{k}={v}' for k, v in options.items()]]


def record_scores(path: Path) -> None:
    """Append every architecture whose scoring completed to ``path`` (in a child)."""
    from pinas.search.scoring import Scorer
    original = Scorer.__call__

    def scored(self, arch):
        value = original(self, arch)
        with path.open('a') as handle:
            handle.write(f'{arch}\n')
        return value
    Scorer.__call__ = scored


@pytest.mark.slow
def test_supernet_training_and_search_survive_kill_minus_9(tmp_path):
    """Killed mid-epoch, then while a checkpoint is written, then mid-scoring: each resume continues from the last
    checkpoint or the last scored architecture, and the finished search scored every architecture once."""
    search = tool_main('search')
    work, data, log, scored = tmp_path / 'work', tmp_path / 'data', tmp_path / 'run.log', tmp_path / 'scored.txt'

    def mid_epoch():
        kill_at_call(OptimWrapper, 'step', ITERS_PER_EPOCH + 2)  # the second iteration of epoch 2
        return search(search_argv(work, data))
    killed(run(mid_epoch, log), log)
    assert latest_checkpoint(work) == work / 'epoch_1.pth' and not (work / 'epoch_2.pth').exists()
    assert load_checkpoint_file(work / 'epoch_1.pth')['meta']['iter'] == ITERS_PER_EPOCH

    def while_saving():
        kill_while_writing('epoch_2.pth')
        return search(search_argv(work, data, '--resume'))
    killed(run(while_saving, log), log)
    assert latest_checkpoint(work) == work / 'epoch_1.pth' and not (work / 'epoch_2.pth').exists()
    load_checkpoint_file(work / 'epoch_1.pth')  # complete and readable
    assert [p.name.startswith('.epoch_2.pth.') for p in temp_files(work)] == [True]  # what the kill left
    assert (work / 'epoch_1.pth').stat().st_mode & 0o777 == 0o666 & ~current_umask()

    def mid_scoring():
        import pinas.search.scoring.base as scoring
        kill_at_call(scoring, 'recalibrate_bn', 3)  # while the third architecture is scored
        record_scores(scored)
        return search(search_argv(work, data, '--resume'))
    killed(run(mid_scoring, log), log)
    assert not temp_files(work)  # the next start removed the killed save's temporary file
    assert load_checkpoint_file(work / 'epoch_2.pth')['meta']['iter'] == 2 * ITERS_PER_EPOCH
    state = json.loads((work / 'search/state.json').read_text())
    first = scored.read_text().split()
    assert len(first) == len(state['history']) == 2

    def rest():
        record_scores(scored)
        return search(search_argv(work, data))
    text = finished(run(rest, log), log)
    assert 'supernet already trained' in text and 'resumed 2 evaluation(s)' in text
    every = scored.read_text().split()
    assert len(every) == len(set(every)) == SEARCH_EVALS  # no architecture scored twice
    ranked = json.loads((work / 'search/ranked.json').read_text())
    assert sorted(row['arch'] for row in ranked) == sorted(every)

    # The work dir moves, and the supernet trains one epoch more: the resumed training reads the moved dir's own
    # checkpoint, and the search, whose scores belong to the old supernet, starts over.
    moved = tmp_path / 'moved'
    work.rename(moved)
    scored.unlink()

    def longer():
        record_scores(scored)
        return search([*search_argv(moved, data, '--resume'), 'train_cfg.max_epochs=3'])
    text = finished(run(longer, log), log)
    assert f'Load checkpoint from {moved / "epoch_2.pth"}' in text
    assert re.search(r'state\.json holds scores of another checkpoint \(epoch_2\.pth sha256 \w+\.\.\., now '
                     r'epoch_3\.pth sha256 \w+\.\.\.\); starting the search over', text)
    assert len(scored.read_text().split()) == SEARCH_EVALS
    assert len(json.loads((moved / 'search/ranked.json').read_text())) == SEARCH_EVALS


@pytest.mark.slow
@pytest.mark.parametrize('workers', [0, 2], ids=['main_process', 'persistent_workers'])
def test_a_resumed_supernet_run_is_bitwise_the_uninterrupted_one(tmp_path, workers):
    """2 epochs at once, and 2 epochs killed after the first then resumed: every weight equal to the bit. The path
    sampler's state, the data order and the augmentation's random draws (in this process or in the loader's
    workers) of epoch 2 must be those of the uninterrupted run."""
    search = tool_main('search')
    data, log = tmp_path / 'data', tmp_path / 'run.log'
    options = [f'train_dataloader.num_workers={workers}', f'train_dataloader.persistent_workers={bool(workers)}']

    def train(work: str, *flags: str, kill_at_step: int | None = None) -> Callable[[], int]:
        def body():
            if kill_at_step is not None:
                kill_at_call(OptimWrapper, 'step', kill_at_step)
            return search([*search_argv(tmp_path / work, data, '--train-only', *flags), *options])
        return body
    finished(run(train('whole'), log), log)
    killed(run(train('resumed', kill_at_step=ITERS_PER_EPOCH + 1), log), log)  # epoch_1.pth saved, epoch 2 begun
    finished(run(train('resumed', '--resume'), log), log)
    whole, resumed = (load_checkpoint_file(tmp_path / work / 'epoch_2.pth') for work in ('whole', 'resumed'))
    assert resumed['meta']['iter'] == whole['meta']['iter'] == 2 * ITERS_PER_EPOCH
    assert whole['state_dict'].keys() == resumed['state_dict'].keys()
    differ = [k for k, v in whole['state_dict'].items() if not torch.equal(v, resumed['state_dict'][k])]
    assert not differ, f'{len(differ)} of {len(whole["state_dict"])} tensors differ, e.g. {differ[0]}'


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- generated datasets -------------------------------------------------------------------------------------------
def tree_digest(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob('*')) if p.is_file()}


@pytest.mark.parametrize('point', ['writing', 'swapping'])
def test_a_dataset_generation_killed_half_way_leaves_the_old_set_or_none_never_a_mix(tmp_path, point):
    """tools/make_tiny_datasets.py replacing a set by a smaller one, killed while it writes the new images (the old
    set stays, whole) or between moving the old set aside and the new one into place (no set); the rerun writes
    the new set with nothing of the old one and removes what the kill left beside the root."""
    from PIL import Image

    from downstream.datasets import TinySpec, make_tiny_datasets
    out, log = tmp_path / 'data', tmp_path / 'log'
    make_tiny_datasets(out, TinySpec(num_train=4, num_val=2))
    old = tree_digest(out)
    smaller = [str(out), '--num-train', '2', '--num-val', '1']

    def body() -> int:
        if point == 'writing':
            kill_at_call(Image.Image, 'save', 5)
        else:
            kill_at_call(Path, 'rename', 2)  # the old set renamed aside, the new one not yet into place
        tool_main('make_tiny_datasets')(smaller)
        return 0
    killed(run(body, log), log)
    if point == 'writing':
        assert tree_digest(out) == old
    else:
        assert not out.exists()
    finished(run(lambda: tool_main('make_tiny_datasets')(smaller) or 0, log), log)
    make_tiny_datasets(tmp_path / 'fresh', TinySpec(num_train=2, num_val=1))
    assert tree_digest(out) == tree_digest(tmp_path / 'fresh')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data', 'fresh', 'log']


# --- downstream training ------------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    """The tiny datasets, and mmseg's modules imported here once rather than in every forked run."""
    from mmseg.utils import register_all_modules

    from downstream.datasets import make_tiny_datasets
    register_all_modules(init_default_scope=False)
    root = tmp_path_factory.mktemp('tiny_data')
    make_tiny_datasets(root)
    return root


@pytest.mark.slow
@pytest.mark.parametrize('workers', [0, 2], ids=['main_process', 'persistent_workers'])
def test_downstream_training_survives_kill_minus_9_and_resumes_bitwise(tmp_path, tiny_data, workers):
    """Killed mid-iteration: the resumed run starts after the last checkpoint and ends with a complete iter_4.pth
    whose every weight equals an uninterrupted run's to the bit. mmengine resumes an iteration loop by replaying the
    data of the iterations done, which draws the augmentation's random numbers but not the model's (the samplers
    of a detector, dropout), so this holds only when each batch's draws are a function of the seed and its
    position. (A kill during a save is the supernet test's: the transfer configs write with the same atomic
    backend, as tests/downstream/test_transfer_configs.py checks.)"""
    train = tool_main('train')
    options = ['--cfg-options', f'train_dataloader.num_workers={workers}',
               f'train_dataloader.persistent_workers={bool(workers)}']
    work, log = tmp_path / 'work', tmp_path / 'run.log'
    argv = [str(SMOKE_SEG), '--work-dir', str(work), *options]
    env = dict(PINAS_TINY_DATA=str(tiny_data))

    def mid_iteration():
        kill_at_call(OptimWrapper, 'step', 3)  # iteration 3: after the backward pass, before the update
        return train(argv)
    killed(run(mid_iteration, log, env), log)
    assert latest_checkpoint(work) == work / 'iter_2.pth' and not (work / 'iter_3.pth').exists()

    finished(run(lambda: train([*argv, '--resume']), log, env), log)
    resumed = load_checkpoint_file(work / 'iter_4.pth')
    assert resumed['meta']['iter'] == SEG_ITERS
    assert logged_steps(work)[-1] == list(range(3, SEG_ITERS + 1))  # after iter_2.pth: iterations 3 and 4 only

    finished(run(lambda: train([str(SMOKE_SEG), '--work-dir', str(tmp_path / 'whole'), *options]), log, env), log)
    whole = load_checkpoint_file(tmp_path / 'whole/iter_4.pth')['state_dict']
    differ = [k for k, v in whole.items() if not torch.equal(v, resumed['state_dict'][k])]
    assert not differ, f'{len(differ)} of {len(whole)} tensors differ, e.g. {differ[0]}'


def logged_steps(work: Path) -> list[list[int]]:
    """The training steps each run of ``work`` logged, oldest run first."""
    runs = sorted(p for p in work.iterdir() if (p / 'vis_data/scalars.json').is_file())
    return [[json.loads(line)['step'] for line in (p / 'vis_data/scalars.json').read_text().splitlines()
             if '"loss"' in line] for p in runs]


# --- ground truth ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_ground_truth_table_holds_only_its_own_sample(tmp_path):
    """Another sample written to the same --out (another --arch-seed) gets a table of its own architectures: the
    earlier sample's runs stay in the runs file, unused, never mixed into the table."""
    make = tool_main('make_ground_truth')
    data_config = tmp_path / 'data.py'
    data_config.write_text(f"data_root = '{tmp_path / 'data'}'\n"
                           'synthetic = dict(num_classes=4, train_per_class=16, val_per_class=2, image_size=32)\n')
    out = tmp_path / 'gt.json'  # 64 training images: one step of the recipe's batch per epoch
    argv = ['--seeds', '0', '--epochs', '1', '--data-config', str(data_config), '--out', str(out)]
    assert make(['--num-archs', '2', '--arch-seed', '0', *argv]) == 0
    first = {row['arch'] for row in json.loads(out.read_text())}
    assert make(['--num-archs', '1', '--arch-seed', '1', *argv]) == 0
    second = {row['arch'] for row in json.loads(out.read_text())}
    assert len(first) == 2 and len(second) == 1 and second == set(out.with_suffix('.archs.txt').read_text().split())
    assert len(json.loads(out.with_suffix('.runs.json').read_text())['runs']) == len(first | second)


@pytest.mark.slow
def test_ground_truth_survives_kill_minus_9(tmp_path):
    """Killed while the second run trains: the resumed job trains only what the runs file lacks."""
    import pinas.studies.ground_truth as ground_truth
    make = tool_main('make_ground_truth')
    data_config = tmp_path / 'data.py'
    data_config.write_text(f"data_root = '{tmp_path / 'data'}'\n"
                           'synthetic = dict(num_classes=4, train_per_class=16, val_per_class=4, image_size=32)\n')
    out, log, trained = tmp_path / 'gt.json', tmp_path / 'run.log', tmp_path / 'trained.txt'
    argv = ['--num-archs', '3', '--seeds', '0', '--epochs', '1', '--data-config', str(data_config), '--out', str(out)]

    def record_training():
        original = ground_truth.train_standalone

        def train(model, *args, **kwargs):
            with trained.open('a') as handle:
                handle.write(f'{model.arch}\n')
            return original(model, *args, **kwargs)
        ground_truth.train_standalone = train

    def mid_run():
        record_training()
        kill_at_call(ground_truth, 'evaluate', 2)  # the second run trained, not yet recorded
        return make(argv)
    killed(run(mid_run, log), log)
    runs = json.loads(out.with_suffix('.runs.json').read_text())['runs']
    first = trained.read_text().split()
    assert len(runs) == 1 and len(first) == 2
    assert make([*argv, '--collect']) == 0  # the table so far, nothing trained
    assert len(json.loads(out.read_text())) == 1 and trained.read_text().split() == first

    def rest():
        record_training()
        return make(argv)
    finished(run(rest, log), log)
    again = trained.read_text().split()[len(first):]
    assert len(again) == 2 and again[0] == first[1] and again[1] not in first  # the killed run, then the third
    assert len(json.loads(out.read_text())) == 3
    assert sorted(out.with_suffix('.archs.txt').read_text().split()) == sorted(
        row['arch'] for row in json.loads(out.read_text()))  # the sample, written before the first run
    assert out.with_suffix('.runs.json').stat().st_mode & 0o777 == 0o666 & ~current_umask()


# --- a distributed job that loses a worker --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize('how', [signal.SIGKILL, signal.SIGSTOP], ids=['killed', 'hung'])
def test_a_lost_worker_ends_the_other_with_a_clear_error(tmp_path, how):
    """Two gloo workers started without torchrun's agent (which would end the survivor itself; on a cluster each
    node has its own): worker 1 is killed, or hangs, mid-training. Worker 0 must end by itself with one line, well
    within a minute: at once when the peer's connection drops, at the collective timeout when the peer hangs."""
    search = tool_main('search')
    work, data = tmp_path / 'work', tmp_path / 'data'
    argv = [*search_argv(work, data, '--train-only', '--launcher', 'pytorch'),
            'env_cfg.dist_cfg.backend=gloo', f'env_cfg.dist_cfg.timeout={PEER_TIMEOUT_S}']
    make_synthetic_dataset(data, SyntheticSpec(train_per_class=4, val_per_class=2))  # once, not by both workers
    port = str(free_port())
    logs = [tmp_path / f'rank{rank}.log' for rank in range(2)]

    def worker(rank: int) -> Callable[[], int]:
        def body():
            if rank == 1:
                kill_at_call(OptimWrapper, 'step', 2, how)
            return search(argv)
        return body
    pids = [fork(worker(rank), logs[rank], dict(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE='2',
                                                MASTER_ADDR='127.0.0.1', MASTER_PORT=port)) for rank in range(2)]
    try:
        lost = wait_until_stopped(pids[1], how)
        status = wait(pids[0], timeout=PEER_EXIT_LIMIT_S)
    finally:
        if how == signal.SIGSTOP:  # still there, stopped: end it
            os.kill(pids[1], signal.SIGKILL)
            os.waitpid(pids[1], 0)
    took = time.monotonic() - lost
    text = logs[0].read_text()
    errors = [line for line in text.splitlines() if line.startswith('error:')]
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 1, text[-3000:]
    assert len(errors) == 1 and 'another process of this distributed job failed, was killed or stopped' in errors[0]
    assert 'Traceback' not in text
    assert took < PEER_EXIT_LIMIT_S
    print(f'worker 0 exited {took:.1f} s after worker 1 was {"killed" if how == signal.SIGKILL else "stopped"}')


def wait_until_stopped(pid: int, how: int) -> float:
    """Wait for the child to be killed or stopped by ``how``; returns when (time.monotonic)."""
    deadline = time.monotonic() + CHILD_TIMEOUT
    flags = os.WNOHANG | (os.WUNTRACED if how == signal.SIGSTOP else 0)
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, flags)
        if done:
            stopped = os.WIFSTOPPED(status) if how == signal.SIGSTOP else os.WIFSIGNALED(status)
            assert stopped and (os.WSTOPSIG(status) if how == signal.SIGSTOP else os.WTERMSIG(status)) == how
            return time.monotonic()
        time.sleep(0.05)
    pytest.fail(f'worker {pid} was not {how!r} in time')
