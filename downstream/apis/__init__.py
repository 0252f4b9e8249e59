"""Library behind tools/train.py and tools/test.py: config loading, a CPU-capable Runner, train and test."""
from .cli import test_main, test_parser, train_main, train_parser
from .config import check_data, check_pretrained, enable_amp, enable_tta, load_config
from .runner import TransferRunner, build_runner, setup_distributed, test, train

__all__ = ['test_main', 'test_parser', 'train_main', 'train_parser', 'check_data', 'check_pretrained', 'enable_amp',
           'enable_tta', 'load_config', 'TransferRunner', 'build_runner', 'setup_distributed', 'test', 'train']
