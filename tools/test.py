"""Evaluate a checkpoint of a detection or segmentation config; prints and saves the metrics.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta] [--cfg-options ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT 8

Metrics go to <work_dir>/test_metrics.json. The logic lives in downstream.apis; a usage error is one line on
stderr and exit status 2.
"""

from downstream.apis import test_main
from pinas.utils.cli import cli_main
from pinas.utils.dist import exit_after


@cli_main()
def main(argv=None) -> int:
    test_main(argv)
    return 0


if __name__ == '__main__':
    exit_after(main)
