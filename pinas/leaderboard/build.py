"""Records in, leaderboard files out: what ``tools/leaderboard.py`` runs.

Every output is a function of the records' values only (no timestamp, no path, no file order), and of the scores
tables' values and paths as given (``--scores``), so the same inputs give byte-identical files and a diff of the
outputs is a diff of the results.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .correlation import ScoreTable, Settings, Study, studies, studies_dict
from .html import Plot, page, plots
from .model_index import write_model_index
from .record import Record, load_records
from .render import csv_text, markdown
from .table import Board, build_boards, unique_records

MARKDOWN = 'leaderboard.md'
CSV = 'leaderboard.csv'
HTML = 'leaderboard.html'
CORRELATIONS = 'correlations.json'
PLOT_DIR = 'plots'
SCREENSHOT = 'leaderboard.png'


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


def write(board: Leaderboard, out: str | Path) -> list[Path]:
    """Write the Markdown, CSV, HTML, correlations, plots and OpenMMLab model index under ``out``."""
    out = Path(out)
    (out / PLOT_DIR).mkdir(parents=True, exist_ok=True)
    texts = {
        MARKDOWN: markdown(board.records, board.boards, board.studies),
        CSV: csv_text(board.boards),
        CORRELATIONS: json.dumps(studies_dict(board.studies, board.settings), sort_keys=True, indent=1,
                                 allow_nan=False) + '\n',
        HTML: page(board.records, board.boards, board.studies, board.plots),
    }
    texts.update({f'{PLOT_DIR}/{plot.id}.svg': plot.svg + '\n' for plot in board.plots})
    written = []
    for name, text in texts.items():
        path = out / name
        path.write_text(text, encoding='utf-8')
        written.append(path)
    return written + write_model_index(board.boards, out)
