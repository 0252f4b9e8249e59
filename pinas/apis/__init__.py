"""High-level entry points used by ``tools/``: load a config, build a runner, train a supernet, search, export."""
from .export import export_architecture
from .pipeline import train_and_search
from .runner import PinasRunner, add_runner_args, build_runner, load_config, setup_distributed
from .search import run_search
from .train import build_supernet_runner, train_supernet

__all__ = ['train_and_search', 'run_search', 'export_architecture', 'load_config', 'build_runner', 'train_supernet',
           'build_supernet_runner', 'PinasRunner', 'add_runner_args', 'setup_distributed']
