"""Paths shared by the transfer tests (a plain module: conftest.py is not importable by name)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / 'configs'
SMOKE_CONFIGS = sorted((CONFIGS / 'smoke').glob('*.py'))
# every config a user runs: all .py files except bases (and configs/search, configs/spaces, owned by others)
SHIPPED_CONFIGS = sorted(p for p in CONFIGS.rglob('*.py')
                         if '_base_' not in p.parts and p.parent.name not in ('search', 'spaces'))
