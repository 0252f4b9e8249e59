"""What a search leaves behind: a ranked table (JSON and CSV) and arch files of the best architectures, where
:class:`~pinas.search.work_dir.SearchWorkDir` places them.

The table is written by :func:`pinas.ranking.tables.write_ranked_table` and read by
:func:`pinas.ranking.tables.read_table`, so a search's output can be passed straight to ``tools/rank_eval.py``
against a ground truth. Arch files are :func:`pinas.arch.write_arch_file` JSON, accepted by every tool that takes an
architecture.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..arch import write_arch_file
from ..ranking.tables import write_ranked_table
from ..spaces import SearchSpace
from .base import Evaluation, ranked
from .work_dir import SearchWorkDir, top_arch_path

BASE_COLUMNS = ('rank', 'arch', 'score', 'eval_index')


def search_rows(history: Sequence[Evaluation], space: SearchSpace) -> list[dict[str, Any]]:
    """One row per evaluation, best first: rank, arch (the space's code), score, eval_index (0-based order of
    scoring), info."""
    index = {id(e): i for i, e in enumerate(history)}
    return [dict(rank=r, arch=space.format(e.arch), score=e.score, eval_index=index[id(e)], **e.info)
            for r, e in enumerate(ranked(history), start=1)]


def write_search_table(history: Sequence[Evaluation], space: SearchSpace, json_path, csv_path=None) -> list[Path]:
    """Write the search's rows (:func:`search_rows`) as a JSON list and, if ``csv_path`` is given, as CSV; returns
    the paths."""
    return write_ranked_table(search_rows(history, space), json_path, csv_path, pretty=True,
                              csv_columns=BASE_COLUMNS)


def write_best_archs(history: Sequence[Evaluation], space: SearchSpace, out_dir, top_n: int, **meta) -> list[Path]:
    """Arch files of the ``top_n`` best in ``out_dir`` (:func:`~pinas.search.work_dir.top_arch_path`), with the
    space's name, score, rank and ``meta``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for rank, evaluation in enumerate(ranked(history)[:top_n], start=1):
        code = space.format(evaluation.arch)
        path = top_arch_path(out_dir, rank, code)
        write_arch_file(path, space, code, **{**evaluation.info, **meta, 'score': evaluation.score, 'rank': rank})
        paths.append(path)
    return paths


def write_search_outputs(history: Sequence[Evaluation], space: SearchSpace, out_dir, top_n: int = 5,
                         **meta) -> dict[str, Any]:
    """The ranked table (JSON and CSV) and the top arch files of the search dir ``out_dir``; returns what was
    written."""
    work = SearchWorkDir.of_search_dir(out_dir)
    table_json, table_csv = write_search_table(history, space, work.table_json, work.table_csv)
    return dict(table_json=table_json, table_csv=table_csv,
                best_archs=write_best_archs(history, space, work.best_dir, top_n, **meta))
