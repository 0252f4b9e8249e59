"""Resolve every config under ``configs/`` and fingerprint what training reads (used by tests/test_configs.py).

A config is resolved with ``mmengine.Config.fromfile`` (bases merged, ``{{$ENV:default}}`` at its default), turned
into canonical JSON (sorted keys; a tuple kept apart from a list, since a pipeline or a crop size may care), and
fingerprinted per top-level key, so that a change names the keys it touched.

    python tests/config_snapshot.py                    # rewrite tests/fixtures/config_digests.json
    python tests/config_snapshot.py --dump DIR         # also write each resolved config as JSON under DIR
"""
import argparse
import functools
import hashlib
import json
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import mmengine.config.config as mmengine_config
from mmengine.config import Config
from mmengine.config.utils import _get_external_cfg_path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / 'configs'
FIXTURE = ROOT / 'tests/fixtures/config_digests.json'
ENV_PLACEHOLDER = re.compile(r'\{\{\s*\$(\w+)\s*:')


def config_files() -> list[Path]:
    return sorted(CONFIGS.rglob('*.py'))


def is_base(path: Path) -> bool:
    """A file other configs inherit (under a ``_base_`` folder, or ``_base_.py``) rather than one a user runs."""
    return '_base_' in path.relative_to(CONFIGS).with_suffix('').parts


_EXTERNAL_PATHS: dict = {}


def _cached_external_cfg_path(package_path: str, cfg_file: str) -> str:
    """mmengine's ``_get_external_cfg_path``, remembered and short-cut: it parses every model-index YAML of
    mmdet/mmseg for each ``mmdet::``/``mmseg::`` base (most of a config's load time) only to raise ValueError for a
    ``_base_/`` file, which no metafile names and mmengine then finds by its path."""
    key = (package_path, cfg_file)
    if cfg_file.startswith('_base_/'):
        raise ValueError(f'{cfg_file} is a base config: no metafile names it')
    if key not in _EXTERNAL_PATHS:
        try:
            _EXTERNAL_PATHS[key] = _get_external_cfg_path(package_path, cfg_file)
        except ValueError as err:
            _EXTERNAL_PATHS[key] = err
    found = _EXTERNAL_PATHS[key]
    if isinstance(found, ValueError):
        raise found
    return found


@functools.cache
def environment_names() -> frozenset:
    """The variables configs read with ``{{$NAME:default}}``."""
    return frozenset(name for path in config_files() for name in ENV_PLACEHOLDER.findall(path.read_text()))


@contextmanager
def default_environment():
    """Unset the variables configs read with ``{{$NAME:default}}``, so a resolved config is its defaults."""
    saved = {name: os.environ.pop(name) for name in environment_names() if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def plain(value):
    """JSON-able form of a resolved value; a tuple becomes ``{'__tuple__': [...]}`` so it never equals a list."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return {'__tuple__': [plain(v) for v in value]}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f'a config value of type {type(value).__name__} is not plain data: {value!r}')


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(',', ':'))


def digest(value) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def resolve(path: Path) -> dict:
    """The config at ``path`` as plain data, the way the runner receives it."""
    with default_environment(), mock.patch.object(mmengine_config, '_get_external_cfg_path', _cached_external_cfg_path):
        cfg = Config.fromfile(str(path), import_custom_modules=False)
    return plain(cfg.to_dict())


def fingerprint(resolved: dict) -> dict:
    """The digest of the whole config and a short digest of each top-level key (to name what changed)."""
    return dict(sha256=digest(resolved), keys={key: digest(value)[:16] for key, value in sorted(resolved.items())})


def snapshot(paths=None) -> dict:
    """``{config path relative to the repository: fingerprint}`` for every config a user runs."""
    paths = [p for p in config_files() if not is_base(p)] if paths is None else paths
    return {str(p.relative_to(ROOT)): fingerprint(resolve(p)) for p in paths}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dump', type=Path, help='also write each resolved config as JSON under this folder')
    args = parser.parse_args(argv)
    fingerprints = {}
    for path in (p for p in config_files() if not is_base(p)):
        resolved = resolve(path)
        fingerprints[str(path.relative_to(ROOT))] = fingerprint(resolved)
        if args.dump:
            out = args.dump / path.relative_to(ROOT).with_suffix('.json')
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(resolved, sort_keys=True, indent=1) + '\n')
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    tmp = FIXTURE.with_suffix('.json.tmp')
    tmp.write_text(json.dumps(fingerprints, sort_keys=True, indent=1) + '\n')
    tmp.replace(FIXTURE)
    print(f'{len(fingerprints)} configs -> {FIXTURE.relative_to(ROOT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
