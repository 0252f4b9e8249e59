"""pinas.utils.dist (gloo on CPU hosts) and pinas.utils.checkpoint (weights-only loading of mmengine checkpoints)."""
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.distributed as torch_dist

from pinas.utils import get_dist_info, init_dist
from pinas.utils.cli import UsageError
from pinas.utils.dist import _launcher_env

ROOT = Path(__file__).resolve().parents[3]

CHECKPOINT_SCRIPT = textwrap.dedent('''
    import pickle, sys, torch
    from mmengine.logging import MessageHub
    from pinas.utils import allow_mmengine_checkpoints
    hub = MessageHub.get_instance('t')
    for step in range(3):
        hub.update_scalar('train/loss', 1.0 / (step + 1))
    torch.save({'state_dict': {'w': torch.ones(2)}, 'message_hub': hub.state_dict()}, sys.argv[1])
    try:
        torch.load(sys.argv[1], weights_only=True)
        print('loaded without allow-list')
    except pickle.UnpicklingError:
        print('refused without allow-list')
    allow_mmengine_checkpoints()
    loaded = torch.load(sys.argv[1], weights_only=True)
    print('loss', loaded['message_hub']['log_scalars']['train/loss'].current())
''')


@pytest.mark.slow
def test_mmengine_checkpoint_needs_and_gets_the_allow_list(tmp_path):
    """In a fresh interpreter: refused by torch's weights-only unpickler, then loaded after the allow-list."""
    result = subprocess.run([sys.executable, '-c', CHECKPOINT_SCRIPT, str(tmp_path / 'ckpt.pth')], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert 'refused without allow-list' in result.stdout
    assert 'loss 0.333' in result.stdout


def test_not_distributed_by_default():
    assert get_dist_info() == (0, 1, 0)
    assert get_dist_info().is_main


def test_bad_launch_requests_are_explained(monkeypatch):
    with pytest.raises(UsageError, match='unknown launcher'):
        init_dist('ssh')
    for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(key, raising=False)
    if not torch.cuda.is_available():
        with pytest.raises(UsageError, match='torchrun'):
            init_dist('pytorch')
        with pytest.raises(UsageError, match='nccl backend needs CUDA'):
            init_dist('pytorch', backend='nccl')


@pytest.mark.skipif(torch.cuda.is_available(), reason='the CPU path is taken only without CUDA')
def test_pytorch_launcher_starts_a_gloo_group_on_cpu(monkeypatch):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    for key, value in dict(RANK='0', WORLD_SIZE='1', LOCAL_RANK='0', MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    try:
        init_dist('pytorch', timeout=60)
        assert torch_dist.get_backend() == 'gloo'
        assert get_dist_info() == (0, 1, 0)
        tensor = torch.ones(1)
        torch_dist.all_reduce(tensor)
        assert tensor.item() == 1.0
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()


def test_slurm_environment_is_translated(monkeypatch):
    for key, value in dict(SLURM_PROCID='5', SLURM_NTASKS='8', SLURM_LOCALID='1', SLURM_NODELIST='node[1-2]',
                           MASTER_ADDR='node1').items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv('MASTER_PORT', raising=False)
    assert _launcher_env('slurm') == dict(RANK='5', WORLD_SIZE='8', LOCAL_RANK='1', MASTER_ADDR='node1',
                                          MASTER_PORT='29500')
