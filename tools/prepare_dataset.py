"""Check a dataset root against the layout the transfer configs expect, or convert Cityscapes labels.

    python tools/prepare_dataset.py check coco data/coco
    python tools/prepare_dataset.py check ade data/ade/ADEChallengeData2016
    python tools/prepare_dataset.py check cityscapes data/cityscapes
    python tools/prepare_dataset.py convert-cityscapes data/cityscapes [--nproc 8]

convert-cityscapes writes *_gtFine_labelTrainIds.png from the *_gtFine_polygons.json files (needs
`pip install cityscapesscripts`). Layouts: docs/export_and_transfer.md.
"""
import argparse
import json
import sys

from downstream.datasets import DatasetLayoutError, check_dataset, convert_cityscapes
from pinas.utils.cli import ArgumentParser, UsageError, cli_main, positive_int


@cli_main(DatasetLayoutError, ImportError)
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    check = commands.add_parser('check', help='check a dataset root')
    check.add_argument('dataset', choices=['coco', 'ade', 'cityscapes'])
    check.add_argument('root')
    convert = commands.add_parser('convert-cityscapes', help='polygons -> *_gtFine_labelTrainIds.png')
    convert.add_argument('root')
    convert.add_argument('--nproc', type=positive_int, default=1, help='worker processes')
    args = parser.parse_args(argv)
    try:
        if args.command == 'check':
            print(check_dataset(args.dataset, args.root))
        else:
            print(f'wrote {convert_cityscapes(args.root, args.nproc)} label images under {args.root}/gtFine')
    except json.JSONDecodeError as err:
        raise UsageError(f'{args.root}: an annotation file is not valid JSON ({err}); download or unpack it '
                         'again') from None
    return 0


if __name__ == '__main__':
    sys.exit(main())
