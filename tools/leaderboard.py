"""Build the leaderboard from result records: Markdown, CSV, a self-contained HTML page, correlations, plots and
an OpenMMLab model index.

    python tools/leaderboard.py results/leaderboard/paper work_dirs/benchmark --out results/leaderboard
    python tools/leaderboard.py RECORD_DIRS... --out DIR --screenshot    # also DIR/leaderboard.png (Chromium)

Reads only records (``record.json`` / ``*.record.json``, searched recursively); a bad record, two conflicting
records of one experiment or a directory without records is a one-line error naming the file (exit 2).
"""
from __future__ import annotations

import sys
from argparse import RawDescriptionHelpFormatter
from pathlib import Path

from pinas.leaderboard import RecordError
from pinas.leaderboard.browser import BrowserUnavailable, screenshot
from pinas.leaderboard.build import HTML, SCREENSHOT, build, write
from pinas.leaderboard.correlation import Settings
from pinas.ranking.metrics import DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_SEED
from pinas.utils.cli import ArgumentParser, cli_main


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__, formatter_class=RawDescriptionHelpFormatter)
    parser.add_argument('records', nargs='+', help='record directories (searched recursively) or record files')
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument('--bootstrap', type=int, default=DEFAULT_BOOTSTRAP,
                        help='bootstrap resamples for the correlation CIs (0: none)')
    parser.add_argument('--confidence', type=float, default=DEFAULT_CONFIDENCE, help='confidence level of the CIs')
    parser.add_argument('--seed', type=int, default=DEFAULT_SEED, help='seed of the bootstrap resampling')
    parser.add_argument('--screenshot', action='store_true',
                        help=f'also write {SCREENSHOT}: the page in headless Chromium (tools/setup_browser.sh)')
    return parser.parse_args(argv)


@cli_main(RecordError, BrowserUnavailable)
def main(argv=None) -> int:
    args = parse_args(argv)
    leaderboard = build(args.records, Settings(resamples=args.bootstrap, seed=args.seed, confidence=args.confidence))
    for warning in leaderboard.warnings:
        print(f'warning: {warning}', file=sys.stderr)
    out = Path(args.out)
    written = write(leaderboard, out)
    print(f'{len(leaderboard.records)} records, {sum(len(b.rows) for b in leaderboard.boards)} rows on '
          f'{len(leaderboard.boards)} boards, {len(leaderboard.studies)} correlation studies; wrote '
          f'{len(written)} files under {out}')
    if args.screenshot:
        print(f'screenshot: {screenshot(out / HTML, out / SCREENSHOT)}')
    print(f'leaderboard: {(out / HTML).resolve()}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
