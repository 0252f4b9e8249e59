"""Write generated COCO / ADE20K / Cityscapes datasets in the real on-disk layouts (tests, smoke runs, CPU studies).

    python tools/make_tiny_datasets.py [OUT_DIR] [--size tiny|small] [--seed 0] [--num-train N] [--num-val N]

Creates OUT_DIR/coco, OUT_DIR/ade/ADEChallengeData2016 and OUT_DIR/cityscapes (default OUT_DIR: data/<size>),
plus OUT_DIR/dataset_spec.json; the same size and seed give the same bytes. A set of the same spec at OUT_DIR is
kept; another is replaced whole (written beside OUT_DIR, then renamed into place), never merged. Sizes
(downstream.datasets.tiny SIZE_PRESETS): tiny = 8 + 4 flat-coloured images per dataset, for smoke runs
(configs/smoke/ read them from $PINAS_TINY_DATA, default data/tiny); small = hundreds of textured images per split,
for the CPU transfer study (configs/transfer_study/ read them from $PINAS_SMALL_DATA, default data/small).
"""
import argparse
import sys

from downstream.datasets import SIZE_PRESETS, TinySpec, make_tiny_datasets
from pinas.utils.cli import ArgumentParser, cli_main, positive_int, writable_dir


@cli_main()
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out_dir', nargs='?', help='where coco/, ade/ and cityscapes/ are written '
                        '(default: data/<size>)')
    parser.add_argument('--size', choices=sorted(SIZE_PRESETS), default=TinySpec.size,
                        help='dataset size preset (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=TinySpec.seed)
    parser.add_argument('--num-train', type=positive_int, help="training images per dataset (default: the size's)")
    parser.add_argument('--num-val', type=positive_int, help="validation images per dataset (default: the size's)")
    args = parser.parse_args(argv)
    spec = TinySpec.for_size(args.size, seed=args.seed, num_train=args.num_train, num_val=args.num_val)
    out = writable_dir(args.out_dir or f'data/{args.size}', 'OUT_DIR')
    for name, root in make_tiny_datasets(out, spec, log=print).items():
        print(f'{name}: {root}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
