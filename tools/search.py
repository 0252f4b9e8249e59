"""Train a weight-sharing supernet (Pi-NAS, SPOS, CEPT or the Track-1 recipes), search it, export the best.

Training is skipped when the work dir holds a finished run. The search scores architectures with the config's
"search" section (BN recalibration + a proxy score) under its strategy (random, evolution, ...), writes the
ranked table and the best architectures, and exports them as timm weights and OpenMMLab backbone checkpoints.

examples:
  python tools/search.py configs/search/pinas_embedded.py --cfg-options train_cfg.max_epochs=3
  python tools/search.py configs/search/pinas_embedded.py --resume     # continue an interrupted training
  bash tools/dist_search.sh configs/search/pinas_resnest50d_8xb24-amp-100e_imagenet.py 8
"""
from __future__ import annotations

import argparse

from pinas.apis import add_runner_args, load_config, train_and_search
from pinas.utils.cli import ArgumentParser, cli_main
from pinas.utils.dist import exit_after


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file, e.g. configs/search/pinas_embedded.py')
    parser.add_argument('--resume', action='store_true', help='resume training from the work dir\'s last checkpoint')
    parser.add_argument('--retrain', action='store_true', help='train even if the work dir holds a finished run')
    parser.add_argument('--train-only', action='store_true', help='stop after supernet training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by (GPUs x batch per GPU) / the config\'s auto_scale_lr.base_batch_size')
    return add_runner_args(parser).parse_args(argv)


@cli_main()
def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = load_config(args.config, cfg_options=args.cfg_options, work_dir=args.work_dir, launcher=args.launcher,
                      resume=args.resume, auto_scale_lr=args.auto_scale_lr)
    train_and_search(cfg, retrain=args.retrain, train_only=args.train_only)
    return 0


if __name__ == '__main__':
    exit_after(main)
