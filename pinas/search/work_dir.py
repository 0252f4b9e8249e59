"""The layout of a ``tools/search.py`` work dir, and its readers: the one place that names its files.

A work dir holds the supernet's training (mmengine's ``epoch_N.pth`` and ``last_checkpoint``) and, in its search dir
(``search/`` unless the config's ``search.out_dir`` names another), what the search leaves::

    <work_dir>/last_checkpoint                     the newest supernet checkpoint (mmengine)
    <work_dir>/search/state.json                   the resumable search state (pinas.search.Searcher)
    <work_dir>/search/ranked.json, ranked.csv      every scored architecture, best first (pinas.ranking.tables)
    <work_dir>/search/top_archs/top{k}_{code}.json arch files of the k-th best
    <work_dir>/search/export/{code}.json           arch file of an exported architecture (pinas.apis.export) with
    <work_dir>/search/export/{code}_timm.pth       its stand-alone timm state dict and
    <work_dir>/search/export/{code}_mmengine_backbone.pth   its OpenMMLab backbone checkpoint
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ranking.tables import read_ranked_rows
from ..utils.checkpoint import latest_checkpoint

SEARCH_DIR = 'search'
RANKED_JSON = 'ranked.json'
RANKED_CSV = 'ranked.csv'
STATE_FILE = 'state.json'
TOP_ARCHS_DIR = 'top_archs'
EXPORT_DIR = 'export'
TIMM_SUFFIX = '_timm.pth'
BACKBONE_SUFFIX = '_mmengine_backbone.pth'


def export_paths(out_dir, code: str) -> dict[str, Path]:
    """The three files :func:`pinas.apis.export.export_architecture` writes for ``code`` into ``out_dir``: ``arch``
    (the arch file), ``timm`` (the stand-alone state dict), ``backbone`` (the mmengine backbone checkpoint)."""
    out_dir = Path(out_dir)
    return dict(arch=out_dir / f'{code}.json', timm=out_dir / f'{code}{TIMM_SUFFIX}',
                backbone=out_dir / f'{code}{BACKBONE_SUFFIX}')


def top_arch_path(folder, rank: int, code: str) -> Path:
    """The arch file of the ``rank``-th best architecture (1-based) in a ``top_archs/`` dir."""
    return Path(folder) / f'top{rank}_{code}.json'


@dataclass(frozen=True)
class SearchWorkDir:
    """A search work dir: ``root`` (where the supernet trained) and the name of its search dir under it."""

    root: Path
    search_name: str = SEARCH_DIR

    def __post_init__(self):
        object.__setattr__(self, 'root', Path(self.root))

    @classmethod
    def of_search_dir(cls, search_dir) -> 'SearchWorkDir':
        """The work dir whose search dir is ``search_dir`` (e.g. ``work_dirs/pinas/search``)."""
        search_dir = Path(search_dir)
        return cls(search_dir.parent, search_dir.name)

    @classmethod
    def find(cls, path) -> 'SearchWorkDir':
        """The searched work dir at ``path``: a work dir whose ``search/`` holds a ranked table, or such a search dir
        itself; a :class:`FileNotFoundError` names both places when neither does."""
        path = Path(path)
        for work in (cls.of_search_dir(path), cls(path)):
            if work.table_json.is_file():
                return work
        raise FileNotFoundError(f'{path} holds no {RANKED_JSON} (nor does {path / SEARCH_DIR}); pass the work dir '
                                'of a tools/search.py run or its search/ dir')

    @classmethod
    def of_arch_file(cls, arch_file) -> 'SearchWorkDir | None':
        """The searched work dir an arch file belongs to (it sits in a dir of the search dir: its ``export/`` or
        ``top_archs/``), else None."""
        work = cls.of_search_dir(Path(arch_file).parent.parent)
        return work if work.table_json.is_file() else None

    # --- paths ---------------------------------------------------------------------------------------------------
    @property
    def search(self) -> Path:
        return self.root / self.search_name

    @property
    def table_json(self) -> Path:
        return self.search / RANKED_JSON

    @property
    def table_csv(self) -> Path:
        return self.search / RANKED_CSV

    @property
    def state(self) -> Path:
        return self.search / STATE_FILE

    @property
    def best_dir(self) -> Path:
        return self.search / TOP_ARCHS_DIR

    @property
    def export_dir(self) -> Path:
        return self.search / EXPORT_DIR

    @property
    def outputs(self) -> list[Path]:
        """What the search writes besides its state, all made from the state (removed with a state of another
        supernet)."""
        return [self.table_json, self.table_csv, self.best_dir, self.export_dir]

    def top_arch(self, rank: int, code: str) -> Path:
        return top_arch_path(self.best_dir, rank, code)

    def export_files(self, code: str) -> dict[str, Path]:
        return export_paths(self.export_dir, code)

    # --- readers -------------------------------------------------------------------------------------------------
    def ranked_rows(self) -> list[dict[str, Any]]:
        """The rows of ``ranked.json``, best first (:func:`pinas.ranking.tables.read_ranked_rows`)."""
        return read_ranked_rows(self.table_json)

    def ranked_row(self, code: str) -> dict[str, Any] | None:
        """The row of architecture ``code`` (the space's code, as the table stores it), or None."""
        return next((row for row in self.ranked_rows() if str(row['arch']) == code), None)

    def arch_files(self) -> dict[Path, dict[str, Any]]:
        """The arch files of ``export/`` and ``top_archs/`` with their content, in that order, each sorted."""
        return {path: json.loads(path.read_text())
                for folder in (self.export_dir, self.best_dir) for path in sorted(folder.glob('*.json'))}

    def exports(self) -> dict[Path, dict[str, Any]]:
        """The arch files of ``export/`` with their content."""
        return {path: data for path, data in self.arch_files().items() if path.parent == self.export_dir}

    def exported_backbone(self, code: str) -> Path | None:
        """The exported OpenMMLab backbone checkpoint of ``code``, None where it was not exported."""
        path = self.export_files(code)['backbone']
        return path if path.is_file() else None

    def latest_checkpoint(self) -> Path | None:
        """The supernet checkpoint the work dir's ``last_checkpoint`` names (None without one)."""
        return latest_checkpoint(self.root)


__all__ = ['SearchWorkDir', 'export_paths', 'top_arch_path', 'SEARCH_DIR', 'RANKED_JSON', 'RANKED_CSV',
           'STATE_FILE', 'TOP_ARCHS_DIR', 'EXPORT_DIR', 'TIMM_SUFFIX', 'BACKBONE_SUFFIX']
