"""Library behind tools/train.py, tools/test.py and tools/benchmark.py: the transfer-specific parts over
:mod:`pinas.apis.runner`, result records (:mod:`.records`) and benchmarks (:mod:`.benchmark`)."""
from .benchmark import benchmark_main, load_benchmark, run_benchmark
from .transfer_cli import test_main, test_parser, train_main, train_parser
from .config import check_data, check_pretrained, enable_tta
from .transfer_runner import test, train

__all__ = ['test_main', 'test_parser', 'train_main', 'train_parser', 'check_data', 'check_pretrained', 'enable_tta',
           'test', 'train', 'benchmark_main', 'load_benchmark', 'run_benchmark']
