"""Export architectures of a trained supernet: arch file, timm weights and an OpenMMLab backbone checkpoint.

    python tools/export_arch.py work_dirs/pinas_embedded 311021 --space pinas_resnest_tiny --out-dir exports/
    python tools/export_arch.py supernet.pth 3333113330011021 --out-dir exports/
"""
from __future__ import annotations

import argparse
import sys

from pinas.apis import export_architecture
from pinas.arch import ArchError
from pinas.models import CheckpointMismatchError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', help='supernet checkpoint (.pth) or the work dir of a supernet run')
    parser.add_argument('archs', nargs='+', help='architecture codes to export')
    parser.add_argument('--space', default='pinas_resnest50d')
    parser.add_argument('--out-dir', default='exports')
    parser.add_argument('--prefix', default='supernet.', help='key prefix of the student supernet in the checkpoint')
    args = parser.parse_args(argv)
    try:
        for arch in args.archs:
            files = export_architecture(args.checkpoint, arch, args.space, args.out_dir, args.prefix)
            print(f'{arch}: ' + ', '.join(f'{kind} {path}' for kind, path in files.items()))
    except (ArchError, CheckpointMismatchError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
