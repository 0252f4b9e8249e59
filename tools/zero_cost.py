"""Zero-cost baselines: score architectures by params, FLOPs and zero-cost proxies of their randomly initialised
stand-alone networks, and write one ranked table per proxy for tools/rank_eval.py.

    python tools/zero_cost.py track1_resnet20 results/ground_truth/track1_resnet20.json \\
        --out results/ranking/baselines/track1_resnet20
    python tools/zero_cost.py track1_resnet20 ../shared/data/track1_gt_first_1000.json \\
        --config configs/ranking/zero_cost_cifar100.py --proxies params flops --out work_dirs/zero_cost/track1_gt
    python tools/rank_eval.py work_dirs/zero_cost/track1_gt/params.json ../shared/data/track1_gt_first_1000.json
    python tools/zero_cost.py nasbench_macro ../shared/data/nas-bench-macro_cifar10.json --gt-key mean_acc \\
        --config configs/ranking/zero_cost_cifar10.py --proxies params flops --out work_dirs/zero_cost/macro

ARCHS is any table tools/rank_eval.py reads (a ground truth or a ranked table; only its architectures are scored,
one per distinct network) or a .txt file with one code per line. The config (``zero_cost`` dict, default
configs/ranking/zero_cost_embedded.py) names the data of the fixed minibatch, the classifier's classes, the batch
size and the init seeds. Writes DIR/<proxy>.json (ranked rows {"arch", "score"}, best first) and DIR/zero_cost.json
(the settings); when ARCHS is a table, prints each proxy's Kendall tau-b against its values (tools/rank_eval.py
gives the confidence intervals).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from pinas.apis.runner import CfgOptionsAction, merge_cfg_options
from pinas.apis.validate import validate_config
from pinas.arch import ArchError
from pinas.ranking import RankingInputError, TableError, join_tables, kendall_tau_b, read_table
from pinas.ranking.tables import read_code_list, write_ranked_table
from pinas.studies.ground_truth import default_device
from pinas.studies.zero_cost import (data_proxies, fixed_minibatch, list_proxies, ranked_rows, score_architectures,
                                     shape_batch)
from pinas.registry import DATASETS
from pinas.spaces import build_space, list_spaces
from pinas.utils.cli import ArgumentParser, UsageError, cli_main, device_name
from pinas.utils.files import atomic_write_json

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / 'configs/ranking/zero_cost_embedded.py'
PROGRESS_LINES = 20  # about this many progress lines per run


def parse_args(argv=None):
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('space', help='search space preset (e.g. track1_resnet20, pinas_resnest_tiny)')
    parser.add_argument('archs', help='table of architectures (JSON/CSV, as tools/rank_eval.py reads) or .txt list')
    parser.add_argument('--proxies', nargs='+', default=list_proxies(), help=f'default: {" ".join(list_proxies())}')
    parser.add_argument('--out', required=True, help='directory of the score tables')
    parser.add_argument('--config', default=str(DEFAULT_CONFIG), help='config with a zero_cost dict')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction, default={}, help='overrides of the config')
    parser.add_argument('--gt-key', help='value field of ARCHS when it has several (e.g. mean_acc for '
                                         'NAS-Bench-Macro); its values only serve the Kendall tau printed at the end')
    parser.add_argument('--device', type=device_name,
                        help='where the networks run (default: cuda when available, else cpu)')
    return parser.parse_args(argv)


def read_archs(path: Path, space, key: str | None):
    """The distinct networks of ``path`` (first occurrence kept) and the table read from it (None for a list)."""
    if path.suffix == '.txt':
        codes, table = read_code_list(path, space), None
    else:
        table = read_table(path, key, space=space)
        codes = list(table.values)
    unique = list(dict.fromkeys(space.format(code) for code in codes))
    if not unique:
        raise UsageError(f'{path} lists no architectures')
    return [space.parse(code) for code in unique], table


def read_settings(path: str, options: dict):
    """The config's ``zero_cost`` dict, with the command line's overrides."""
    if not Path(path).is_file():
        raise UsageError(f'config {path} does not exist; pass a config with a zero_cost dict, e.g. '
                         f'{_shown(str(DEFAULT_CONFIG))}')
    cfg = Config.fromfile(path)
    merge_cfg_options(cfg, options, strict=True)
    validate_config(cfg)  # zero_cost.batch_size=0 and the like, before any data is built
    if 'zero_cost' not in cfg:
        raise UsageError(f'config {path} has no zero_cost dict; see {_shown(str(DEFAULT_CONFIG))}')
    return cfg.zero_cost


def minibatch(cfg, space, proxies, device):
    """The fixed minibatch of the config's data, or a shape-only batch when only architecture proxies run."""
    readers = data_proxies(proxies)
    if not readers:
        return shape_batch(space.input_size).to(device)
    if cfg.data is None:
        raise UsageError(f'the config gives no data (zero_cost.data=None) and {", ".join(readers)} read a minibatch; '
                         f'use a config with data or --proxies params flops synflow')
    import pinas.datasets  # noqa: F401  (registers the datasets)
    with DefaultScope.overwrite_default_scope('pinas'):  # not mmdet's, when an OpenMMLab scope is current
        dataset = DATASETS.build(cfg.data)
    batch = fixed_minibatch(dataset, cfg.batch_size, cfg.data_seed)
    size = tuple(batch.inputs.shape[-2:])
    if size != (space.input_size, space.input_size):
        raise UsageError(f'the data gives {size[0]}x{size[1]} images, {space.name} takes {space.input_size}x'
                         f'{space.input_size}; use data of the space\'s input size')
    return batch.to(device)


def _shown(path: str) -> str:
    """``path`` relative to the repository when it lies inside (what committed files record)."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else path


@cli_main(TableError, RankingInputError, ArchError)
def main(argv=None) -> int:
    args = parse_args(argv)
    unknown = [p for p in args.proxies if p not in list_proxies()]
    if unknown:
        raise UsageError(f'unknown zero-cost proxy {", ".join(unknown)}; known: {", ".join(list_proxies())}')
    if args.space not in list_spaces():
        raise UsageError(f'unknown search space {args.space!r}; known spaces: {", ".join(list_spaces())}')
    space = build_space(args.space)
    archs, table = read_archs(Path(args.archs), space, args.gt_key)
    settings = read_settings(args.config, args.cfg_options)
    device = torch.device(args.device) if args.device else default_device()
    batch = minibatch(settings, space, args.proxies, device)
    data = f'{len(batch.inputs)} images' if data_proxies(args.proxies) else 'no data'
    print(f'{len(archs)} architectures of {space.name} from {args.archs}; proxies {" ".join(args.proxies)}; '
          f'{data} on {device}, init seeds {list(settings.init_seeds)}')
    start = time.perf_counter()
    scores = score_architectures(space, archs, args.proxies, batch, settings.num_classes, settings.init_seeds,
                                 log_every=-(-len(archs) // PROGRESS_LINES))
    out = Path(args.out)
    for name, values in scores.items():
        rows = ranked_rows(values)
        if len(rows) < len(values):
            print(f'{name}: {len(values) - len(rows)} architecture(s) without a finite score left out')
        write_ranked_table(rows, out / f'{name}.json')
    atomic_write_json(out / 'zero_cost.json', dict(
        space=space.name, archs=args.archs, num_archs=len(archs), proxies=args.proxies, config=_shown(args.config),
        zero_cost=settings.to_dict(), device=str(device), seconds=round(time.perf_counter() - start, 1)))
    print(f'wrote {", ".join(f"{name}.json" for name in scores)} to {out}')
    if table is not None:
        for name in scores:
            joined = join_tables(read_table(out / f'{name}.json', space=space), table)
            print(f'{name:<10} Kendall tau-b {kendall_tau_b(joined.scores, joined.truth):+.3f} '
                  f'against {table.key or "the values"} of {joined.n_matched} architectures')
    return 0


if __name__ == '__main__':
    sys.exit(main())
