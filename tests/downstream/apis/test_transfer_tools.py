"""tools/train.py and tools/test.py: every smoke config trains and tests in one process through the library,
resume works in a fresh process (torch's weights-only loading), and the launch scripts run CPU process groups."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from transfer_paths import ROOT, SMOKE_CONFIGS

from downstream import apis
from pinas.utils.checkpoint import latest_checkpoint
from pinas.utils.cli import UsageError

ADE_SMOKE = ROOT / 'configs/smoke/deeplabv3_pinas-tiny-d8_ade-tiny-64x64.py'
DET_ITERS = 4  # one epoch of 8 images, 2 per batch
SEG_ITERS = 4  # tiny_iters of configs/smoke/_base_/schedules/seg_4it.py
EXPECTED_METRICS = {
    'mask-rcnn': ('coco/bbox_mAP', 'coco/segm_mAP'),
    'faster-rcnn': ('coco/bbox_mAP',),
    'retinanet': ('coco/bbox_mAP',),
    'deeplabv3': ('mIoU', 'aAcc'),
    'upernet': ('mIoU', 'aAcc'),
}
SUBPROCESS_TIMEOUT = 300


@pytest.fixture(scope='module')
def trained(tiny_data, tmp_path_factory):
    """Train each smoke config once (in this process, through the tools' library functions)."""
    runs = {}

    def run(config: Path):
        if config not in runs:
            work = tmp_path_factory.mktemp(config.stem[:20])
            runner = apis.train_main([str(config), '--work-dir', str(work)])
            runs[config] = (work, runner.iter)
        return runs[config]
    return run


def family(config: Path) -> str:
    return config.stem.split('_')[0]


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def tool_env(tiny_data) -> dict:
    return dict(os.environ, PYTHON=sys.executable, PINAS_TINY_DATA=str(tiny_data), PORT=free_port(),
                PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')


def run_tool(args, env, cwd=ROOT):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize('config', SMOKE_CONFIGS, ids=lambda p: p.stem)
def test_smoke_config_trains_then_tests(config, trained):
    work, iters = trained(config)
    assert iters == (DET_ITERS if 'coco' in config.stem else SEG_ITERS)
    checkpoint = str(latest_checkpoint(work))
    metrics = apis.test_main([str(config), checkpoint, '--work-dir', str(work)])
    for key in EXPECTED_METRICS[family(config)]:
        assert key in metrics and metrics[key] >= 0.0
    saved = json.loads((work / 'test_metrics.json').read_text())
    assert saved['metrics'] == metrics and saved['checkpoint'] == Path(checkpoint).name  # beside it


@pytest.mark.slow
def test_segmentation_test_time_augmentation(trained):
    work, _ = trained(ADE_SMOKE)
    checkpoint = str(latest_checkpoint(work))
    metrics = apis.test_main([str(ADE_SMOKE), checkpoint, '--work-dir', str(work / 'tta'), '--tta',
                              '--cfg-options', 'test_dataloader.dataset.indices=1'])  # one image: CPU time
    assert 0.0 <= metrics['mIoU'] <= 100.0


@pytest.mark.slow
def test_resume_continues_in_a_fresh_process(tiny_data, tmp_path):
    """First half in-process, second half through tools/train.py --resume: torch >= 2.6 must load the
    checkpoint's message hub with weights_only=True, which only the tool's allow-list makes possible."""
    half = SEG_ITERS // 2
    runner = apis.train_main([str(ADE_SMOKE), '--work-dir', str(tmp_path),
                              '--cfg-options', f'train_cfg.max_iters={half}'])
    assert runner.iter == half and (tmp_path / f'iter_{half}.pth').is_file()
    log = run_tool([sys.executable, 'tools/train.py', str(ADE_SMOKE), '--work-dir', str(tmp_path), '--resume'],
                   tool_env(tiny_data))
    assert f'resumed epoch: 0, iter: {half}' in log
    runs = sorted(p for p in tmp_path.iterdir() if (p / 'vis_data/scalars.json').is_file())
    steps = [json.loads(line)['step'] for line in (runs[-1] / 'vis_data/scalars.json').read_text().splitlines()
             if '"loss"' in line]
    assert steps == list(range(half + 1, SEG_ITERS + 1))


@pytest.mark.slow
def test_dist_train_and_test_with_two_cpu_processes(tiny_data, tmp_path):
    env = tool_env(tiny_data)
    log = run_tool(['bash', 'tools/dist_train.sh', str(ADE_SMOKE), '2', '--work-dir', str(tmp_path)], env)
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    checkpoint = tmp_path / f'iter_{SEG_ITERS}.pth'
    assert checkpoint.is_file()
    env['PORT'] = free_port()
    log = run_tool(['bash', 'tools/dist_test.sh', str(ADE_SMOKE), str(checkpoint), '2',
                    '--work-dir', str(tmp_path / 'test')], env)
    metrics = json.loads((tmp_path / 'test/test_metrics.json').read_text())['metrics']
    assert 'mIoU' in metrics


# A job whose rank 1 finishes first, as after a validation, while rank 0 still writes the record: rank 1 reaches
# the end just after a collective whose tensors Python let go of before the group's worker thread did.
LAST_RANK_FIRST = """
import time
import torch
import torch.distributed as dist
from pinas.utils.dist import exit_after, init_dist


def main():
    init_dist('pytorch')
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(8, 8))
    model(torch.randn(4, 8)).sum().backward()
    dist.broadcast_object_list([dist.get_rank()])
    if dist.get_rank() == 0:
        time.sleep(0.5)
    return 0


exit_after(main)
"""
LOADED_RUNS = 3
LOADED_RUNS_S = 40  # no further run starts after this; one run takes a few seconds on an idle host


@pytest.mark.slow
def test_a_finished_distributed_job_exits_0_beside_a_cpu_load(tmp_path):
    """On a loaded host, rank 1 used to abort at exit ("terminate called without an active exception", SIGABRT)
    after the job had finished: a gloo worker thread still releasing the last collective met the interpreter's
    shutdown. The tools end through pinas.utils.dist.exit_after, which ends the process group first."""
    script = tmp_path / 'job.py'
    script.write_text(LAST_RANK_FIRST)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')
    load = subprocess.Popen([sys.executable, '-c', 'while True: pass'])
    try:
        start = time.monotonic()
        for _ in range(LOADED_RUNS):
            result = subprocess.run([sys.executable, '-m', 'pinas.utils.launch', '--nproc-per-node', '2',
                                     '--master-port', free_port(), str(script)], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
            assert result.returncode == 0 and 'terminate called' not in result.stderr, result.stderr[-3000:]
            if time.monotonic() - start > LOADED_RUNS_S:
                break
    finally:
        load.kill()
        load.wait()


@pytest.mark.slow
def test_slurm_test_script_runs_under_srun(tiny_data, trained, tmp_path):
    """A stand-in srun (one task) runs tools/slurm_test.sh's command as slurm would: launcher slurm, gloo."""
    work, _ = trained(ADE_SMOKE)
    checkpoint = str(latest_checkpoint(work))
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text('#!/usr/bin/env bash\n'
                    '# stand-in for srun: drop its options, run the command as task 0 of 1\n'
                    'while [ "${1#-}" != "$1" ]; do [ "$1" = "-p" ] && shift; shift; done\n'
                    'SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0 SLURM_NODELIST=localhost '
                    'MASTER_ADDR=127.0.0.1 MASTER_PORT=$PORT exec "$@"\n')
    srun.chmod(0o755)
    env = tool_env(tiny_data)
    env['PATH'] = f'{bin_dir}:{env["PATH"]}'
    log = run_tool(['bash', 'tools/slurm_test.sh', 'partition', 'job', str(ADE_SMOKE), checkpoint,
                    '--work-dir', str(tmp_path / 'test')], env)
    assert 'Distributed launcher: slurm' in log
    assert 'mIoU' in json.loads((tmp_path / 'test/test_metrics.json').read_text())['metrics']


@pytest.mark.parametrize('flag', ['--local_rank', '--local-rank'])
def test_both_local_rank_spellings(flag):
    assert apis.train_parser().parse_args(['c.py', flag, '3']).local_rank == 3
    assert apis.test_parser().parse_args(['c.py', 'w.pth', flag, '3']).local_rank == 3


def test_bad_inputs_get_clear_errors(tmp_path, tiny_data):
    with pytest.raises(FileNotFoundError, match='configs/'):
        apis.train_main([str(tmp_path / 'nope.py')])
    with pytest.raises(FileNotFoundError, match='tools/train.py'):
        apis.test_main([str(ADE_SMOKE), str(tmp_path / 'missing.pth'), '--work-dir', str(tmp_path)])
    mask_rcnn = ROOT / 'configs/mask_rcnn/mask-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py'
    with pytest.raises(FileNotFoundError, match='model.backbone.init_cfg.checkpoint=PATH'):
        apis.train_main([str(mask_rcnn), '--work-dir', str(tmp_path)])
    with pytest.raises(FileNotFoundError, match=f'{tmp_path}/coco.*prepare_dataset.py'):
        apis.train_main([str(mask_rcnn), '--work-dir', str(tmp_path), '--cfg-options', 'model.backbone.init_cfg=None',
                         f'train_dataloader.dataset.data_root={tmp_path}/coco/'])
    if not torch.cuda.is_available():
        with pytest.raises(UsageError, match='--amp needs a GPU'):
            apis.train_main([str(ADE_SMOKE), '--amp', '--work-dir', str(tmp_path)])


@pytest.mark.slow
def test_a_bad_option_under_the_launcher_is_one_error_line(tmp_path):
    """Every rank finds the mistake; the launcher passes the line on once and exits with the workers' status 2,
    without torchrun's ChildFailedError traceback."""
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port(), OMP_NUM_THREADS='1')
    result = subprocess.run(['bash', 'tools/dist_train.sh', str(ADE_SMOKE), '2', '--work-dir', str(tmp_path),
                             '--cfg-options', 'model.backbone.archh=1'], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=SUBPROCESS_TIMEOUT)
    errors = [line for line in result.stderr.splitlines() if line.startswith('error:')]
    assert errors == ["error: --cfg-options model.backbone.archh: model.backbone has no key 'archh'; "
                      'did you mean model.backbone.arch?'], result.stderr[-3000:]
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr and 'ChildFailedError' not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize('stop', [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_stopping_the_launcher_stops_its_workers(tiny_data, tmp_path, stop):
    """A training stopped at the launcher (a Ctrl-C, a scheduler's SIGTERM) leaves no worker behind."""
    log = tmp_path / 'train.log'
    with log.open('w') as out:
        launcher = subprocess.Popen(
            ['bash', 'tools/dist_train.sh', str(ADE_SMOKE), '2', '--work-dir', str(tmp_path / 'work'),
             '--cfg-options', 'train_cfg.max_iters=100000', 'train_cfg.val_interval=100000',
             'default_hooks.checkpoint.interval=100000'],
            cwd=ROOT, env=tool_env(tiny_data), stdout=out, stderr=subprocess.STDOUT)  # exec: the pid is torchrun's
    try:
        wait_for(lambda: len(children(launcher.pid)) == 2 and 'Iter(train)' in log.read_text(), log)
        workers = children(launcher.pid)
        launcher.send_signal(stop)
        assert launcher.wait(timeout=60) == 128 + stop, log.read_text()[-3000:]
        assert not [pid for pid in workers if alive(pid)]
    finally:
        launcher.kill()
        launcher.wait()


def children(pid: int) -> list[int]:
    result = subprocess.run(['pgrep', '-P', str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent."""
    try:
        return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
    except (FileNotFoundError, ProcessLookupError):
        return False


def wait_for(condition, log: Path, timeout: float = SUBPROCESS_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f'not reached in {timeout} s: ' + log.read_text()[-3000:]
        time.sleep(0.5)


def test_usage_errors_of_the_launch_scripts():
    for script, usage in [('dist_train.sh', 'CONFIG GPUS'), ('dist_test.sh', 'CONFIG CHECKPOINT GPUS'),
                          ('slurm_train.sh', 'WORK_DIR'), ('slurm_test.sh', 'CHECKPOINT')]:
        result = subprocess.run(['bash', f'tools/{script}'], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 2 and usage in result.stderr


@pytest.mark.slow  # a process group: the launcher, its workers, a kill and the wait for their ends
def test_workers_end_when_the_launcher_is_killed_with_sigkill(tmp_path):
    """SIGKILL reaches no handler, so the launcher cannot stop its workers; each worker asked Linux for SIGTERM
    when its parent dies (pinas.utils.dist.die_with_parent, from init_dist), so none trains on as an orphan."""
    if not sys.platform.startswith('linux'):
        pytest.skip('parent-death signals are a Linux feature')
    script = tmp_path / 'worker.py'
    script.write_text('import os, pathlib, time\n'
                      'from pinas.utils.dist import init_dist\n'
                      "init_dist('pytorch')\n"
                      "pathlib.Path(f\"pid{os.environ['RANK']}\").write_text(str(os.getpid()))\n"
                      'time.sleep(600)\n')
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')
    launcher = subprocess.Popen([sys.executable, '-m', 'pinas.utils.launch', '--nproc-per-node', '2',
                                 '--master-port', free_port(), str(script)], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + SUBPROCESS_TIMEOUT
        while not all((tmp_path / f'pid{r}').is_file() for r in (0, 1)) and time.monotonic() < deadline:
            time.sleep(0.2)
        pids = [int((tmp_path / f'pid{r}').read_text()) for r in (0, 1)]
        launcher.kill()
        launcher.wait()
        deadline = time.monotonic() + 30
        alive = pids
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in pids if _running(pid)]
        assert alive == [], f'workers {alive} outlived their launcher'
    finally:
        launcher.kill()
        for r in (0, 1):
            pid_file = tmp_path / f'pid{r}'
            if pid_file.is_file() and _running(int(pid_file.read_text())):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, killed but not yet reaped by init, counts as ended)."""
    try:
        with open(f'/proc/{pid}/stat') as stat:
            return stat.read().split(') ')[-1][0] != 'Z'
    except FileNotFoundError:
        return False
