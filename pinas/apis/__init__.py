"""High-level entry points used by ``tools/``: build a runner from a config and train a supernet."""
from .train import build_runner, load_config, train_supernet

__all__ = ['load_config', 'build_runner', 'train_supernet']
