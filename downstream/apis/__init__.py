"""Library behind tools/train.py and tools/test.py: the transfer-specific parts over :mod:`pinas.apis.runner`."""
from .cli import test_main, test_parser, train_main, train_parser
from .config import check_data, check_pretrained, enable_tta
from .runner import test, train

__all__ = ['test_main', 'test_parser', 'train_main', 'train_parser', 'check_data', 'check_pretrained', 'enable_tta',
           'test', 'train']
