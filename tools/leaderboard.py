"""Build the leaderboard from result records: Markdown, CSV, a self-contained HTML page, correlations, plots and
an OpenMMLab model index.

    python tools/leaderboard.py results/leaderboard/paper work_dirs/benchmark --out results/leaderboard
    python tools/leaderboard.py RECORD_DIRS... --out DIR --screenshot    # also DIR/leaderboard.png (Chromium)
    python tools/leaderboard.py RECORD_DIRS... --out DIR --scores spos:top1=work_dirs/spos/search/ranked.json
    python tools/leaderboard.py RECORD_DIRS... --out DIR --baselines params flops

Reads only records (``record.json`` / ``*.record.json``, searched recursively); a bad record, two conflicting
records of one experiment or a directory without records is a one-line error naming the file (exit 2). The files
under --out are replaced as one set: a reader, or a kill, never finds the Markdown of one build beside the page of
another (see pinas/leaderboard/build.py).

Does the search predict transfer? Each board's measured rows that a search scored are a correlation study of
their search score (the records' provenance.score) vs the downstream metric, beside the noise ceiling of the
seed mean (a score is judged against it; the seed-to-seed tau beside it says how reproducible the ground truth is).
Below 5 architectures a study gets no correlation; below 20, Kendall tau-b has a permutation p-value instead of a
bootstrap CI.
--scores METHOD[:SCORE_NAME]=TABLE (repeatable) adds the scores of another search of the same architectures:
TABLE is a ranked.json (what tools/search.py writes), an {"arch": score} JSON or a CSV with arch and score
columns, as tools/rank_eval.py reads them, higher is better. It gives one study per board and config, over the
measured rows whose architecture the table scores (codes compared as architectures: 3-0-1-3 is 3013); the rows
need no search score of their own. Fewer than 5 matches: the study is listed as skipped, with why. A table
named like the records' own scores (same method and score name), a missing file or a file that is not a table is
a one-line error (exit 2). --baselines params flops adds the free baselines a search has to beat: the same
rows ranked by their backbone's params or MACs (method "baseline").
"""
from __future__ import annotations

import argparse
import sys
from argparse import RawDescriptionHelpFormatter

from pinas.leaderboard import RecordError
from pinas.leaderboard.browser import BrowserUnavailable, screenshot
from pinas.leaderboard.build import HTML, SCREENSHOT, build, write
from pinas.leaderboard.correlation import (BASELINES, SCORES_SPEC, Settings, parse_scores_spec,
                                          read_score_table)
from pinas.ranking.metrics import DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_SEED, RankingInputError
from pinas.ranking.tables import TableError
from pinas.utils.cli import ArgumentParser, UsageError, cli_main, writable_dir


def scores_option(text: str) -> tuple:
    """An argparse type: ``METHOD[:SCORE_NAME]=TABLE`` -> (method, score name or None, path, the text)."""
    try:
        return parse_scores_spec(text) + (text,)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__, formatter_class=RawDescriptionHelpFormatter)
    parser.add_argument('records', nargs='+', help='record directories (searched recursively) or record files')
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument('--scores', type=scores_option, action='append', default=[], metavar=SCORES_SPEC,
                        help='search scores of the records\' architectures from a table (ranked.json, '
                             '{arch: score} JSON or CSV; higher is better), studied against the downstream '
                             'metric like the records\' own search scores; repeatable, e.g. '
                             'spos:top1=work_dirs/spos/search/ranked.json')
    parser.add_argument('--baselines', nargs='+', choices=list(BASELINES), default=[], metavar='BASELINE',
                        help='free baselines a search has to beat, each one more study per board and config: the '
                             'architectures ranked by their records\' params or MACs '
                             f'(choices: {", ".join(BASELINES)})')
    parser.add_argument('--bootstrap', type=int, default=DEFAULT_BOOTSTRAP,
                        help='bootstrap resamples for the correlation CIs (0: none)')
    parser.add_argument('--confidence', type=float, default=DEFAULT_CONFIDENCE, help='confidence level of the CIs')
    parser.add_argument('--seed', type=int, default=DEFAULT_SEED, help='seed of the bootstrap resampling')
    parser.add_argument('--screenshot', action='store_true',
                        help=f'also write {SCREENSHOT}: the page in headless Chromium (tools/setup_browser.sh)')
    return parser.parse_args(argv)


def read_tables(specs) -> list:
    """The ``--scores`` tables, read before any record: a bad one is an error naming the option and the file."""
    tables = []
    for method, score_name, path, text in specs:
        try:
            tables.append(read_score_table(method, score_name, path))
        except TableError as err:
            raise UsageError(f'--scores {text.partition("=")[0]}: {err}') from None
    return tables


@cli_main(RecordError, BrowserUnavailable, RankingInputError)
def main(argv=None) -> int:
    args = parse_args(argv)
    settings = Settings(resamples=args.bootstrap, seed=args.seed, confidence=args.confidence)  # checks them first
    out = writable_dir(args.out, '--out')
    tables = read_tables(args.scores)
    leaderboard = build(args.records, settings, tables, args.baselines)
    for warning in leaderboard.warnings:
        print(f'warning: {warning}', file=sys.stderr)
    written = write(leaderboard, out, screenshot=screenshot if args.screenshot else None)
    print(f'{len(leaderboard.records)} records, {sum(len(b.rows) for b in leaderboard.boards)} rows on '
          f'{len(leaderboard.boards)} boards, {len(leaderboard.studies)} correlation studies; wrote '
          f'{len(written)} files under {out}')
    for study in leaderboard.studies:
        if study.scores_file and study.skipped:
            print(f'note: {study.board.title}, config {study.config}: {study.method} '
                  f'{study.score_name or "score"} from {study.scores_file} skipped: {study.skipped}')
    if args.screenshot:
        print(f'screenshot: {out / SCREENSHOT}')
    print(f'leaderboard: {(out / HTML).resolve()}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
