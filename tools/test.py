"""Evaluate a checkpoint of a detection or segmentation config; prints and saves the metrics.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta] [--cfg-options ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT 8

Metrics go to <work_dir>/test_metrics.json. The logic lives in downstream.apis.
"""
from downstream.apis import test_main

if __name__ == '__main__':
    test_main()
