"""Print the parameters and FLOPs of architectures of a search space.

    python tools/arch_info.py 3013231203213032
    python tools/arch_info.py 3013231203213032 3333113330011021 --space pinas_resnest50d --json
    python tools/arch_info.py 311021 --space pinas_resnest_tiny --input-size 64
"""
from __future__ import annotations

import argparse
import json
import sys

from pinas.arch import code_or_arch_file
from pinas.complexity import measure_complexity
from pinas.models import build_standalone
from pinas.spaces import build_space, list_spaces
from pinas.utils.cli import ArgumentParser, cli_main, positive_int


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('archs', nargs='+', help='architecture codes (e.g. 3013231203213032) or arch files')
    parser.add_argument('--space', default='pinas_resnest50d', choices=list_spaces(), metavar='SPACE',
                        help=f'search space ({", ".join(list_spaces())})')
    parser.add_argument('--input-size', type=positive_int, help='square input resolution (default: the space\'s)')
    parser.add_argument('--num-classes', type=positive_int, default=1000)
    parser.add_argument('--json', action='store_true', help='print JSON lines instead of a table')
    return parser.parse_args(argv)


@cli_main()
def main(argv=None) -> int:
    args = parse_args(argv)
    space = build_space(args.space)
    size = args.input_size or space.input_size
    archs = [space.parse(code_or_arch_file(a)) for a in args.archs]
    rows = []
    for arch in archs:
        model = build_standalone(space, arch, num_classes=args.num_classes)
        rows.append(dict(arch=space.format(arch), space=space.name, **measure_complexity(model, size).as_dict()))
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print(f'{"arch":<20} {"params (M)":>10} {"GMACs":>8} {"GFLOPs (all ops)":>17}   input {size}x{size}, {space.name}')
    for row in rows:
        print(f'{row["arch"]:<20} {row["params_M"]:>10.3f} {row["GMACs"]:>8.3f} {row["total_GFLOPs"]:>17.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
