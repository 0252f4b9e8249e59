"""What a search leaves behind: a ranked table (JSON and CSV) and arch files of the best architectures.

The table is the "ranked" format read by :func:`pinas.ranking.tables.read_table`, so a search's output can be
passed straight to ``tools/rank_eval.py`` against a ground truth. Arch files are
:func:`pinas.arch.write_arch_file` JSON, accepted by every tool that takes an architecture.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Sequence

from ..arch import write_arch_file
from ..spaces import SearchSpace
from .base import Evaluation, ranked

BASE_COLUMNS = ('rank', 'arch', 'score', 'eval_index')


def ranked_rows(history: Sequence[Evaluation], space: SearchSpace) -> list[dict[str, Any]]:
    """One row per evaluation, best first: rank, arch (the space's code), score, eval_index (0-based order of
    scoring), info."""
    index = {id(e): i for i, e in enumerate(history)}
    return [dict(rank=r, arch=space.format(e.arch), score=e.score, eval_index=index[id(e)], **e.info)
            for r, e in enumerate(ranked(history), start=1)]


def write_ranked_table(history: Sequence[Evaluation], space: SearchSpace, json_path, csv_path=None) -> list[Path]:
    """Write the ranked rows as a JSON list and, if ``csv_path`` is given, as CSV; returns the paths."""
    rows = ranked_rows(history, space)
    json_path = Path(json_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(rows, indent=1) + '\n')
    written = [json_path]
    if csv_path is not None:
        extra = sorted({k for row in rows for k in row} - set(BASE_COLUMNS))
        csv_path = Path(csv_path)
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        with csv_path.open('w', newline='') as handle:
            writer = csv.DictWriter(handle, fieldnames=[*BASE_COLUMNS, *extra])
            writer.writeheader()
            writer.writerows(rows)
        written.append(csv_path)
    return written


def write_top_archs(history: Sequence[Evaluation], space: SearchSpace, out_dir, top_n: int, **meta) -> list[Path]:
    """Arch files ``top{rank}_{code}.json`` for the ``top_n`` best, with the space's name, score, rank and
    ``meta``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for rank, evaluation in enumerate(ranked(history)[:top_n], start=1):
        code = space.format(evaluation.arch)
        path = out_dir / f'top{rank}_{code}.json'
        write_arch_file(path, space, code, **{**evaluation.info, **meta, 'score': evaluation.score, 'rank': rank})
        paths.append(path)
    return paths


def write_search_outputs(history: Sequence[Evaluation], space: SearchSpace, out_dir, top_n: int = 5,
                         **meta) -> dict[str, Any]:
    """``ranked.json``, ``ranked.csv`` and ``top_archs/`` under ``out_dir``; returns what was written."""
    out_dir = Path(out_dir)
    table_json, table_csv = write_ranked_table(history, space, out_dir / 'ranked.json', out_dir / 'ranked.csv')
    return dict(ranked_json=table_json, ranked_csv=table_csv,
                top_archs=write_top_archs(history, space, out_dir / 'top_archs', top_n, **meta))
