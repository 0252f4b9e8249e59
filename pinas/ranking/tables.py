"""Score and ground-truth tables: read them from the formats in use and join them by architecture.

Formats read by :func:`read_table` (the format is detected from the content):

* ranked table, JSON: a list of rows ``[{"arch": "013203", "score": 71.2, ...}, ...]`` (what
  :func:`write_ranked_table` writes, for a search, the zero-cost tool and the ranking studies);
* ranked table, CSV: a header with an ``arch`` column and a value column (``score`` by default);
* plain mapping, JSON: ``{"013203": 71.2, ...}``;
* keyed records, JSON: ``{"arch1": {"acc": 0.539, "arch": "16-4-12-..."}, ...}`` (the CVPR 2021 Track-1
  ground truth) or, without an ``"arch"`` field, ``{"013203": {"mean_acc": 89.2, ...}}`` (NAS-Bench-Macro),
  where the key is the architecture code.

A table read with its space (``read_table(path, space=...)``, :func:`table_space` finds it in the meta file beside
a ground truth) is keyed by the space's own code (``space.format``: ``'3013...'`` for ResNeSt, ``'16-4-12-...'``
for Track-1), the one code every file stores, hashes, joins and prints. Without a space, codes are compared as
:class:`pinas.arch.Arch` values (:func:`table_code`), so ``"3-0-1-3"``, ``"3 0 1 3"`` and ``"3013"`` are one
architecture.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..arch import Arch, ArchError
from ..spaces import build_space
from ..utils.files import atomic_write_bytes
from .metrics import MIN_PAIRS

ARCH_FIELD = 'arch'
PREFERRED_KEY = 'score'


class TableError(ValueError):
    """A table that cannot be read or joined; the message names the file, the problem and the fix."""


@dataclass(frozen=True)
class Table:
    """Values keyed by normalised architecture code, with where they came from."""

    values: dict[str, float]
    path: str
    format: str
    key: str | None

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class JoinedTables:
    """Paired values of the architectures present in both tables, in the scores table's order."""

    archs: list[str]
    scores: np.ndarray
    truth: np.ndarray
    n_scores: int
    n_truth: int

    @property
    def n_matched(self) -> int:
        return len(self.archs)


def read_code_list(path, space=None) -> list[str]:
    """The architecture codes of a list file (one per line, blank lines skipped; e.g. the ``.archs.txt`` beside a
    ground truth), in order and with repeats, each keyed as tables key them (:func:`table_code`); a missing file or
    a bad code is a :class:`TableError` naming the file (and the line)."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f'{path} does not exist; give a file of architecture codes, one per line')
    codes = []
    for number, line in enumerate(_text(path).splitlines(), 1):
        if line.strip():
            try:
                codes.append(table_code(line.strip(), space))
            except ArchError as err:
                raise TableError(f'{path} line {number}: {err}') from None
    return codes


def read_table(path, key: str | None = None, space=None) -> Table:
    """Read a score or ground-truth table; ``key`` picks the value field (default: see :func:`_pick_key`);
    ``space`` keys it by the space's codes (a code the space does not hold is a :class:`TableError`)."""
    path, data, is_csv = _load(path)
    if isinstance(data, list):
        return _from_rows(path, data, key, 'ranked-csv' if is_csv else 'ranked-json', space)
    if isinstance(data, dict) and data and all(isinstance(v, Mapping) for v in data.values()):
        return _from_records(path, data, key, space)
    if isinstance(data, dict):
        if key is not None:
            raise TableError(f'{path} maps architectures to plain numbers, so it has no field {key!r}; '
                             f'drop the key option for this file')
        return Table(_collect(path, data.items(), space), str(path), 'mapping-json', None)
    raise TableError(f'{path} holds a JSON {type(data).__name__}; expected a list of rows or an object')


def read_ranked_rows(path) -> list[dict[str, Any]]:
    """The rows of a ranked table (JSON or CSV, as :func:`write_ranked_table` writes it) in file order, best first,
    each with its ``arch``; the one reader of whole rows (rank, score and the writer's other columns)."""
    path, data, _ = _load(path)
    if not isinstance(data, list):
        raise TableError(f'{path} is not a ranked table (a JSON list of rows or a CSV with a header row)')
    _check_rows(path, data)
    return data


def write_ranked_table(rows: Sequence[Mapping[str, Any]], json_path, csv_path=None, *, pretty: bool = False,
                       csv_columns: Sequence[str] = (ARCH_FIELD, PREFERRED_KEY)) -> list[Path]:
    """Write ranked ``rows`` (best first, e.g. :func:`ranked_rows`) atomically as a JSON list and, with ``csv_path``,
    as CSV (``csv_columns`` first, then the rows' other fields sorted); returns the paths.

    Two JSON forms are in use, kept byte for byte so committed tables rebuild unchanged: compact (``pretty=False``,
    the zero-cost and ranking-study tables under ``results/``) and one field per line (``pretty=True``,
    ``json.dumps(indent=1)`` plus a newline: a search's table, read by eye)."""
    rows = [dict(row) for row in rows]
    text = json.dumps(rows, indent=1) + '\n' if pretty else json.dumps(rows)
    atomic_write_bytes(json_path, text.encode())
    written = [Path(json_path)]
    if csv_path is not None:
        extra = sorted({k for row in rows for k in row} - set(csv_columns))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*csv_columns, *extra])
        writer.writeheader()
        writer.writerows(rows)
        atomic_write_bytes(csv_path, buffer.getvalue().encode())
        written.append(Path(csv_path))
    return written


def ranked_rows(scores: Mapping[str, float]) -> list[dict]:
    """A ranked table (``[{"arch", "score"}]``, best first) of the finite scores of ``{code: score}``, as
    :func:`read_table` reads it: what the zero-cost tool and the ranking studies write."""
    rows = [dict(arch=code, score=value) for code, value in scores.items() if np.isfinite(value)]
    return sorted(rows, key=lambda row: -row['score'])


def join_tables(scores: Table, truth: Table, min_matched: int = MIN_PAIRS) -> JoinedTables:
    """Pair the architectures present in both tables; fail clearly when fewer than ``min_matched`` match."""
    common = [arch for arch in scores.values if arch in truth.values]
    if len(common) < min_matched:
        raise TableError(
            f'only {len(common)} architecture(s) of {scores.path} ({len(scores)} rows) appear in {truth.path} '
            f'({len(truth)} rows); at least {min_matched} are needed. Codes look like '
            f'{_examples(scores)} vs {_examples(truth)}: check that both tables describe the same search space')
    return JoinedTables(common, np.array([scores.values[a] for a in common]),
                        np.array([truth.values[a] for a in common]), len(scores), len(truth))


# --- formats ---------------------------------------------------------------------------------------------------
def _load(path) -> tuple[Path, Any, bool]:
    """``path``, its content (the rows of a CSV as a list of dicts, else the parsed JSON) and whether it is CSV."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f'table {path} does not exist; pass a ranked table (JSON/CSV) or a ground-truth JSON')
    text = _text(path)
    if path.suffix.lower() == '.csv' or not text.lstrip().startswith(('{', '[')):
        rows = list(csv.DictReader(text.splitlines()))
        if not rows:
            raise TableError(f'{path} has no data rows; a CSV table needs a header with "arch" and a value column')
        return path, rows, True
    try:
        return path, json.loads(text), False
    except json.JSONDecodeError as err:
        raise TableError(f'{path} is not valid JSON ({err}); tables are JSON or CSV with a header row') from err


def _text(path: Path) -> str:
    """The file's text; binary data (a checkpoint given for a table) is a :class:`TableError` naming the file."""
    try:
        return path.read_text(encoding='utf-8')
    except UnicodeDecodeError:
        with path.open('rb') as handle:
            kind = 'a torch checkpoint' if handle.read(2) == b'PK' else 'binary data'  # torch.save: a zip
        raise TableError(f'{path} is {kind}, not a table; pass a ranked table (JSON/CSV, e.g. search/ranked.json) '
                         'or a ground-truth JSON') from None


def _check_rows(path: Path, rows: list) -> None:
    if not rows or not all(isinstance(r, Mapping) for r in rows):
        raise TableError(f'{path}: a ranked table is a non-empty list of rows like {{"arch": ..., "score": ...}}')
    if ARCH_FIELD not in rows[0]:
        raise TableError(f'{path}: rows have no "{ARCH_FIELD}" field (fields: {sorted(rows[0])})')


def _from_rows(path: Path, rows: list, key: str | None, fmt: str, space=None) -> Table:
    _check_rows(path, rows)
    key = _pick_key(path, rows[0], key)
    pairs = []
    for i, row in enumerate(rows):
        if key not in row or ARCH_FIELD not in row:
            raise TableError(f'{path}: row {i} lacks "{ARCH_FIELD}" or "{key}" (fields: {sorted(row)})')
        pairs.append((row[ARCH_FIELD], row[key]))
    return Table(_collect(path, pairs, space), str(path), fmt, key)


def _from_records(path: Path, data: Mapping[str, Mapping], key: str | None, space=None) -> Table:
    first = next(iter(data.values()))
    key = _pick_key(path, first, key)
    with_field = ARCH_FIELD in first
    pairs = []
    for name, record in data.items():
        if key not in record:
            raise TableError(f'{path}: entry {name!r} has no field {key!r} (fields: {sorted(record)})')
        pairs.append((record[ARCH_FIELD] if with_field else name, record[key]))
    return Table(_collect(path, pairs, space), str(path), 'records-json' if with_field else 'keyed-json', key)


def _pick_key(path: Path, row: Mapping, key: str | None) -> str:
    """The value field: ``key`` if given, else ``score``, else the row's only numeric field."""
    if key is not None:
        if key not in row:
            raise TableError(f'{path}: no field {key!r}; fields are {sorted(row)}')
        return key
    if PREFERRED_KEY in row:
        return PREFERRED_KEY
    numeric = [k for k, v in row.items() if k != ARCH_FIELD and _is_number(v)]
    if len(numeric) == 1:
        return numeric[0]
    raise TableError(f'{path}: cannot tell which field holds the value among {numeric or sorted(row)}; '
                     f'name it with --score-key / --gt-key (or key=...)')


def _collect(path: Path, pairs, space=None) -> dict[str, float]:
    values: dict[str, float] = {}
    for code, value in pairs:
        arch = _code(path, code, space)
        number = _number(path, arch, value)
        if arch in values and values[arch] != number:
            raise TableError(f'{path}: architecture {arch} appears twice with different values '
                             f'({values[arch]} and {number}); keep one row per architecture')
        values[arch] = number
    if not values:
        raise TableError(f'{path} holds no rows')
    return values


def table_code(code: Any, space=None) -> str:
    """The key a table row's architecture code gets (:func:`read_table`): with ``space``, the space's own code
    (:func:`space_code`); without, a key for comparing codes of an unknown space (the code as an :class:`Arch`
    value, so that ``'0-1-2'`` and ``'012'`` are one architecture), which is never written to a file."""
    return str(Arch.parse(code)) if space is None else space_code(space, code)


def space_arch(space, code: Any) -> Arch:
    """The architecture of ``space`` a table's code stands for: its numbers, read as the space reads a code (choice
    indices, or Track-1's widths), whether written with separators or, as some older files hold them, without."""
    return space.parse(Arch.parse(code).choices)


def space_code(space, code: Any) -> str:
    """The space's own code (``space.format``) of a code as a table, an arch file or a user may write it."""
    return space.format(space_arch(space, code))


def table_space(path):
    """The space a table names in the meta file beside it (``<table>.meta.json``, as tools/make_ground_truth.py
    writes one), built; None where there is none."""
    meta = Path(path).with_suffix('.meta.json')
    if not meta.is_file():
        return None
    name = json.loads(meta.read_text()).get('meta', {}).get('space')
    if name is None:
        return None
    return build_space(name)


def _code(path: Path, code: Any, space=None) -> str:
    if isinstance(code, (int, float)):
        raise TableError(f'{path}: architecture {code!r} is stored as a number, which loses leading zeros; '
                         f'store codes as strings such as "013203"')
    try:
        return table_code(code, space)
    except ArchError as err:
        raise TableError(f'{path}: {err}') from err


def _number(path: Path, arch: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TableError(f'{path}: value {value!r} of architecture {arch} is not a number') from None
    if not np.isfinite(number):
        raise TableError(f'{path}: architecture {arch} has a non-finite value {value!r}; drop that row')
    return number


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _examples(table: Table, count: int = 2) -> str:
    return ', '.join(repr(a) for a in list(table.values)[:count])


__all__ = ['Table', 'JoinedTables', 'TableError', 'read_table', 'read_ranked_rows', 'write_ranked_table', 'ranked_rows',
           'join_tables']
