"""Export architectures of a trained supernet: arch file, timm weights and an OpenMMLab backbone checkpoint.

    python tools/export_arch.py work_dirs/pinas_embedded 311021 --space pinas_resnest_tiny --out-dir exports/
    python tools/export_arch.py supernet.pth 3333113330011021 --out-dir exports/
"""
from __future__ import annotations

import argparse
import sys

from pinas.apis import export_architecture
from pinas.arch import code_or_arch_file
from pinas.spaces import build_space, list_spaces
from pinas.utils.cli import ArgumentParser, cli_main, writable_dir


@cli_main()
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', help='supernet checkpoint (.pth) or the work dir of a supernet run')
    parser.add_argument('archs', nargs='+', help='architecture codes to export')
    parser.add_argument('--space', default='pinas_resnest50d', choices=list_spaces(), metavar='SPACE',
                        help=f'search space of the supernet ({", ".join(list_spaces())})')
    parser.add_argument('--out-dir', default='exports')
    parser.add_argument('--prefix', default='supernet.', help='key prefix of the student supernet in the checkpoint')
    args = parser.parse_args(argv)
    writable_dir(args.out_dir, '--out-dir')
    space = build_space(args.space)
    for arch in args.archs:  # every code checked before anything is written
        space.parse(code_or_arch_file(arch))
    for arch in args.archs:
        files = export_architecture(args.checkpoint, arch, args.space, args.out_dir, args.prefix)
        print(f'{arch}: ' + ', '.join(f'{kind} {path}' for kind, path in files.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
