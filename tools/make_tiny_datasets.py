"""Write tiny COCO / ADE20K / Cityscapes datasets in the real on-disk layouts (for tests and smoke runs).

    python tools/make_tiny_datasets.py OUT_DIR [--seed 0] [--num-train 8] [--num-val 4]

Creates OUT_DIR/coco, OUT_DIR/ade/ADEChallengeData2016 and OUT_DIR/cityscapes; the same seed gives the same
bytes. The configs under configs/smoke/ read them from $PINAS_TINY_DATA (default data/tiny).
"""
import argparse

from downstream.datasets import TinySpec, make_tiny_datasets


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out_dir', help='where coco/, ade/ and cityscapes/ are written')
    parser.add_argument('--seed', type=int, default=TinySpec.seed)
    parser.add_argument('--num-train', type=int, default=TinySpec.num_train, help='training images per dataset')
    parser.add_argument('--num-val', type=int, default=TinySpec.num_val, help='validation images per dataset')
    args = parser.parse_args(argv)
    spec = TinySpec(num_train=args.num_train, num_val=args.num_val, seed=args.seed)
    for name, root in make_tiny_datasets(args.out_dir, spec).items():
        print(f'{name}: {root}')


if __name__ == '__main__':
    main()
