"""High-level entry points used by ``tools/``: build a runner from a config and train a supernet."""
from .export import export_architecture
from .pipeline import train_and_search
from .search import run_search
from .train import build_runner, load_config, train_supernet

__all__ = ['train_and_search', 'run_search', 'export_architecture', 'load_config', 'build_runner', 'train_supernet']
