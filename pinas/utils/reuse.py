"""One rule for reusing a stored result: it stands for what the current inputs would produce only when the key it
was stored with equals, field by field, the key those inputs give.

A key is a mapping of everything that determines a result (the resolved config's hash, the data fingerprint, the
architecture, the seed, the weights' sha256, a sample's or a generator's settings). Every cache of the suite asks
:func:`compare` (benchmark records, ranking-study run files, ground-truth runs, generated datasets); what it
returns names each changed field with its stored and current value, short enough for one progress or error line
(:func:`describe`), so a tool either redoes the result and says why, or stops and says what changed.

:func:`generate_dir` applies the rule to a generated directory (a dataset): it is written whole into a fresh
directory, its key written inside it last, and renamed into place, so the root holds the old complete tree, the new
complete tree, or (after a kill between the two renames) nothing; never a mix of both.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Mapping

from .cli import UsageError
from .files import host_name, process_alive


class _Missing:
    """A field one side of a comparison lacks."""

    def __repr__(self) -> str:
        return 'absent'


MISSING = _Missing()
HASH_SHOWN = 8  # leading characters of a hash shown in a message
VALUE_SHOWN = 40  # characters of any other value shown
_HASH = re.compile(r'^[0-9a-f]{16,}$')


def short(value: Any) -> str:
    """``value`` for a message: a hash cut to its first characters (``3f2a9b1c..``), anything else as JSON, cut."""
    if value is MISSING:
        return 'absent'
    if isinstance(value, str) and _HASH.match(value):
        return value[:HASH_SHOWN] + '..'
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= VALUE_SHOWN else text[:VALUE_SHOWN - 3] + '...'


@dataclass(frozen=True)
class Change:
    """One field whose stored value is not the current one (:data:`MISSING` where a side lacks it)."""
    field: str
    stored: Any
    current: Any

    def describe(self, stored_as: str = 'was') -> str:
        """``config changed (record 3f2a9b1c.., now 9b1c0d2e..)`` with ``stored_as='record'``."""
        return f'{self.field} changed ({stored_as} {short(self.stored)}, now {short(self.current)})'


def compare(stored: Mapping[str, Any], current: Mapping[str, Any], *,
            optional: Iterable[str] = ()) -> list[Change]:
    """The changes from ``stored`` to ``current`` ([] when the result may be reused), in ``current``'s field order,
    then fields only ``stored`` has. Mappings on both sides are compared key by key (``train.epochs``); anything
    else by equality. A top-level field in ``optional`` that ``stored`` lacks matches: results written before that
    field was recorded are judged by the others."""
    optional = set(optional)
    return [c for c in _compare(stored, current, '') if not (c.stored is MISSING and c.field in optional)]


def _compare(stored: Mapping, current: Mapping, prefix: str) -> list[Change]:
    changes = []
    for key in [*current, *(k for k in stored if k not in current)]:
        old, new, name = stored.get(key, MISSING), current.get(key, MISSING), f'{prefix}{key}'
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            changes += _compare(old, new, f'{name}.')
        elif old != new:
            changes.append(Change(name, old, new))
    return changes


def describe(changes: Iterable[Change], stored_as: str = 'was', limit: int = 3) -> str:
    """The first ``limit`` changes on one line (``seed changed (was 0, now 1); ...``) and how many more."""
    changes = list(changes)
    text = '; '.join(c.describe(stored_as) for c in changes[:limit])
    return text + (f' (and {len(changes) - limit} more)' if len(changes) > limit else '')


# --- generated directories ----------------------------------------------------------------------------------------
_PARTIAL = 'partial'  # .<root name>.<host>.<pid>.<random>.partial: a tree being written, or one being replaced
_PARTIAL_NAME = re.compile(r'^\.(?P<target>.+)\.(?P<host>[^.]+)\.(?P<pid>\d+)\.[0-9a-f]+\.' + _PARTIAL + '$')


def read_key(root: str | os.PathLike, stamp: str) -> dict | None:
    """The key a generated tree was written with (its ``stamp`` file, JSON), or None when it has none."""
    path = Path(root) / stamp
    try:
        key = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return key if isinstance(key, dict) else None


def generate_dir(root: str | os.PathLike, key: Mapping[str, Any], write: Callable[[Path], Any], *, stamp: str,
                 own: Collection[str], what: str = 'generated data', optional: Iterable[str] = ()) -> str | None:
    """Make ``root`` the tree ``write(dir)`` writes for ``key``, unless it already is: returns None when the tree
    at ``root`` was kept (its ``stamp`` holds ``key``), else why it was written (``no <what>``, or the changes).

    The tree is written into a fresh hidden directory beside ``root``, ``key`` saved to its ``stamp`` last, and
    renamed into place; the old tree is moved aside first and removed after. ``own`` names the top-level entries
    a tree of this kind has: a ``root`` holding anything else is not replaced (:class:`UsageError`), so pointing
    a generator at a folder of other data never deletes it. What a killed generator left beside ``root`` is
    removed on the next call."""
    root, key = Path(root), json.loads(json.dumps(key))  # as the stamp will read back: tuples become lists
    _remove_dead_partials(root)
    stored = read_key(root, stamp)
    if stored is not None:
        changes = compare(stored, key, optional=optional)
        if not changes:
            return None
        reason = describe(changes)
    else:
        reason = f'no {what}'
    if root.exists():
        if not root.is_dir():
            raise UsageError(f'{root} is a file, not a directory; give a directory for the {what}')
        foreign = sorted(p.name for p in root.iterdir() if p.name not in own)
        if foreign:
            raise UsageError(f'{root} holds {foreign[0]!r}, which is not part of the {what} ({", ".join(sorted(own))})'
                             f'; give an empty or new directory, or remove {root / foreign[0]}')
    fresh = _partial(root)
    try:
        fresh.mkdir(parents=True)
        write(fresh)
        (fresh / stamp).parent.mkdir(parents=True, exist_ok=True)
        (fresh / stamp).write_text(json.dumps(key, indent=2))
        if read_key(root, stamp) == key:  # another process finished the same tree first
            shutil.rmtree(fresh)
            return None
        old = _partial(root) if root.exists() else None
        if old is not None:
            root.rename(old)
        fresh.rename(root)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return reason


def _partial(root: Path) -> Path:
    return root.with_name(f'.{root.name}.{host_name()}.{os.getpid()}.{secrets.token_hex(4)}.{_PARTIAL}')


def _remove_dead_partials(root: Path) -> None:
    """Remove the fresh and the replaced trees of ``root`` that a generator of this host, no longer running, left."""
    if not root.parent.is_dir():
        return
    for path in root.parent.iterdir():
        match = _PARTIAL_NAME.match(path.name)
        if match and match['target'] == root.name and match['host'] == host_name() \
                and not process_alive(int(match['pid'])):
            shutil.rmtree(path, ignore_errors=True)
