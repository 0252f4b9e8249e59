"""Records in, leaderboard files out: what ``tools/leaderboard.py`` runs.

Every output is a function of the records' values only (no timestamp, no path, no file order), and of the scores
tables' values and paths as given (``--scores``), so the same inputs give byte-identical files and a diff of the
outputs is a diff of the results.

The files are one set (the Markdown and the page must show the same records), so :func:`write` replaces them as
one: the new set is written whole into a staging directory beside them, ``<out>/.staging-<host>.<pid>``, which
then gets its list of files (the commit mark) and only then is moved over the old set, file by file. A failure or
a kill before the mark leaves the old set as it was (the next write removes the staging directory); a kill
during the moves, a matter of milliseconds, is finished by the next write, which moves the rest of the marked set.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from pinas.utils.cli import writable_dir
from pinas.utils.files import host_name, process_alive

from .correlation import ScoreTable, Settings, Study, studies, studies_dict
from .html import Plot, page, plots
from .model_index import model_index_texts
from .record import Record, load_records
from .render import csv_text, markdown
from .table import Board, build_boards, unique_records

MARKDOWN = 'leaderboard.md'
CSV = 'leaderboard.csv'
HTML = 'leaderboard.html'
CORRELATIONS = 'correlations.json'
PLOT_DIR = 'plots'
SCREENSHOT = 'leaderboard.png'
STAGING_PREFIX = '.staging-'
COMMIT_MARK = '.set.json'  # in the staging directory: the set's files, written once all of them are there


@dataclass(frozen=True)
class Leaderboard:
    records: Sequence[Record]
    boards: Sequence[Board]
    studies: Sequence[Study]
    plots: Sequence[Plot]
    warnings: Sequence[str]      # exact copies of a record, counted once
    settings: Settings


def build(paths: Iterable[str | Path], settings: Settings = Settings(),
          tables: Sequence[ScoreTable] = (), baselines: Sequence[str] = ()) -> Leaderboard:
    """Load and check every record under ``paths``; raises :class:`RecordError` naming the file at fault.

    ``tables`` are scores tables (:func:`.correlation.read_score_table`): each adds a study per board and config
    whose scores come from the table, beside the studies of the records' own search scores; ``baselines`` (names
    in :data:`.correlation.BASELINES`) add a study per board and config that scores each architecture by its
    record's params or MACs, the free baseline a search's ranking has to beat.
    """
    records, warnings = unique_records(load_records(paths))
    boards = build_boards(records)
    found = studies(boards, settings, tables, baselines)
    return Leaderboard(records, boards, found, plots(boards, found), warnings, settings)


def texts(board: Leaderboard) -> dict[str, str]:
    """Every output file as {path under the output directory: text}."""
    files = {
        MARKDOWN: markdown(board.records, board.boards, board.studies),
        CSV: csv_text(board.boards),
        CORRELATIONS: json.dumps(studies_dict(board.studies, board.settings), sort_keys=True, indent=1,
                                 allow_nan=False) + '\n',
        HTML: page(board.records, board.boards, board.studies, board.plots),
    }
    files.update({f'{PLOT_DIR}/{plot.id}.svg': plot.svg + '\n' for plot in board.plots})
    return {**files, **model_index_texts(board.boards)}


def write(board: Leaderboard, out: str | Path,
          screenshot: Callable[[Path, Path], object] | None = None) -> list[Path]:
    """Write the Markdown, CSV, HTML, correlations, plots and OpenMMLab model index under ``out`` as one set (see
    the module doc); ``screenshot(html, png)``, if given, adds :data:`SCREENSHOT` of the page to the set. Returns
    the paths written."""
    out = writable_dir(out, '--out')
    finish_interrupted(out)
    staging = out / f'{STAGING_PREFIX}{host_name()}.{os.getpid()}'
    shutil.rmtree(staging, ignore_errors=True)  # a dead writer's of this pid
    try:
        names = list(texts(board).items())
        for name, text in names:
            _write_synced(staging / name, text.encode('utf-8'))
        names = [name for name, _ in names]
        if screenshot is not None:
            screenshot(staging / HTML, staging / SCREENSHOT)
            names.append(SCREENSHOT)
        _write_synced(staging / COMMIT_MARK, json.dumps(names).encode())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _move_set(staging, out)
    return [out / name for name in names]


def finish_interrupted(out: Path) -> list[Path]:
    """Settle what killed writers of this host left under ``out``: a marked set is moved in (the kill came during
    the moves), an unmarked one removed (it came before the set was complete). Returns the staging directories."""
    settled = []
    for staging in sorted(out.glob(f'{STAGING_PREFIX}*')):
        host, _, pid = staging.name[len(STAGING_PREFIX):].rpartition('.')
        if not staging.is_dir() or host != host_name() or not pid.isdigit() or process_alive(int(pid)):
            continue
        if (staging / COMMIT_MARK).is_file():
            _move_set(staging, out)
        else:
            shutil.rmtree(staging, ignore_errors=True)
        settled.append(staging)
    return settled


def _move_set(staging: Path, out: Path) -> None:
    """Rename each file of the marked set in ``staging`` over its target (those a killed pass moved are gone from
    ``staging``), then remove ``staging``."""
    for name in json.loads((staging / COMMIT_MARK).read_text()):
        source = staging / name
        if source.exists():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, out / name)
    shutil.rmtree(staging)


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open('wb') as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
