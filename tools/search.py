"""Train a supernet from a config (Pi-NAS, SPOS, or the progressive Track-1 recipe), then search it.

The chain: train the supernet (skipped when the work dir holds a finished run), score architectures with the
config's ``search`` section (BN recalibration + proxy score), search, write the ranked table and the best
architectures, and export them as timm weights and OpenMMLab backbone checkpoints.

    python tools/search.py configs/search/pinas_embedded.py [--work-dir DIR] [--resume] [--cfg-options k=v ...]
    bash tools/dist_search.sh configs/search/pinas_resnest50d_8xb24-amp-100e_imagenet.py 8
"""
from __future__ import annotations

import argparse
import os
import sys

from mmengine.config import DictAction

from pinas.apis import load_config, train_and_search


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a weight-sharing supernet')
    parser.add_argument('config', help='config file, e.g. configs/search/pinas_embedded.py')
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config name>)')
    parser.add_argument('--resume', action='store_true', help='resume from the last checkpoint in the work dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys: key=value')
    parser.add_argument('--retrain', action='store_true', help='train even if the work dir holds a finished run')
    parser.add_argument('--train-only', action='store_true', help='stop after supernet training')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        cfg = load_config(args.config, args.cfg_options, args.work_dir, args.resume)
    except (FileNotFoundError, KeyError, ValueError, SyntaxError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    train_and_search(cfg, args.launcher, retrain=args.retrain, train_only=args.train_only)
    return 0


if __name__ == '__main__':
    sys.exit(main())
