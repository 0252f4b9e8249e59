"""``python -m downstream train|test ARGS``: the transfer train and test command lines as a module entry point.

What ``tools/train.py`` and ``tools/test.py`` run, for a job started where the checkout's tools/ are not at hand (an
installed package) and for launchers that start modules (``torchrun -m``, ``python -m pinas.utils.launch -m``,
``srun python -m``); ``--help`` after the command gives its options.
"""
from __future__ import annotations

import sys
from typing import Sequence

from pinas.utils.cli import EXIT_USAGE, cli_main
from pinas.utils.dist import exit_after

COMMANDS = ('train', 'test')


@cli_main()
def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
        if argv[:1] and argv[0] in COMMANDS:
            sys.argv[0] = f'python -m downstream {argv[0]}'  # the usage line argparse prints
    argv = list(argv)
    if not argv or argv[0] not in COMMANDS:
        print(f'error: the first argument must be one of {", ".join(COMMANDS)}, got '
              f'{argv[0] if argv else "nothing"!r}; e.g. python -m downstream train CONFIG', file=sys.stderr)
        return EXIT_USAGE
    from .apis import test_main, train_main
    (train_main if argv[0] == 'train' else test_main)(argv[1:])
    return 0


if __name__ == '__main__':
    exit_after(main)
