"""Train sampled architectures stand-alone on the embedded default (several seeds) and write a ground-truth table.

    python tools/make_ground_truth.py --space pinas_resnest_tiny --num-archs 30 --seeds 0 1 \
        --out results/ground_truth/pinas_resnest_tiny.json

OUT is a ranked table (rows of arch, mean top-1 as ``score``, per-seed top-1), readable by tools/rank_eval.py;
``<OUT stem>.runs.json`` holds the raw runs (the job resumes from it) and ``<OUT stem>.meta.json`` the settings and
the seed-to-seed Kendall tau.

To share the work among N processes or cluster jobs, run the same command with ``--shard K/N`` for K = 0..N-1
(each trains every N-th (arch, seed) job into ``<OUT stem>.runs.shardKofN.json``), then once without ``--shard``:
it collects the shard files, trains whatever is still missing and writes the table.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mmengine.config import Config

from pinas.ranking.ground_truth import TrainSettings, run_ground_truth, sample_archs, summarize
from pinas.datasets.synthetic import SyntheticSpec
from pinas.models import build_standalone
from pinas.spaces import build_space, list_spaces

ROOT = Path(__file__).resolve().parents[1]


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split('/'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'--shard takes K/N, e.g. 0/4, got {text!r}') from None
    return index, count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--space', default='pinas_resnest_tiny', choices=list_spaces(), help='search space preset')
    parser.add_argument('--num-archs', type=int, default=30)
    parser.add_argument('--arch-seed', type=int, default=0, help='seed of the architecture sample')
    parser.add_argument('--concentration', type=float, default=None,
                        help='Dirichlet concentration of a stratified sample (see sample_archs); default: uniform')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='training seeds')
    parser.add_argument('--epochs', type=int, default=TrainSettings.epochs)
    parser.add_argument('--data-config', default=str(ROOT / 'configs/search/_base_/datasets/embedded.py'),
                        help='config whose data_root and synthetic dict define the dataset')
    parser.add_argument('--out', required=True)
    parser.add_argument('--shard', type=parse_shard, help='K/N: train only shard K of N (see above)')
    parser.add_argument('--device', help='where to train (default: cuda when available, else cpu)')
    args = parser.parse_args(argv)

    data = Config.fromfile(args.data_config)
    spec = SyntheticSpec(**data.synthetic)
    space = build_space(args.space)
    build_model = lambda arch: build_standalone(space, arch, spec.num_classes)  # noqa: E731
    archs = sample_archs(space, args.num_archs, args.arch_seed, args.concentration)
    out = Path(args.out)
    runs_path = out.with_suffix('.runs.json')
    try:  # a bad shard, or a runs file made with other settings
        table = run_ground_truth(space, build_model, archs, args.seeds, runs_path, Path(data.data_root), spec,
                                 TrainSettings(epochs=args.epochs), shard=args.shard, device=args.device)
    except ValueError as err:
        raise SystemExit(f'error: {err}') from None
    if args.shard is not None:
        print(f'shard {args.shard[0]}/{args.shard[1]} done; run the command without --shard to collect the table')
        return 0
    summary = summarize(table, args.seeds)
    summary['arch_sample'] = dict(num_archs=args.num_archs, arch_seed=args.arch_seed,
                                  concentration=args.concentration)
    out.write_text(json.dumps(summary.pop('rows'), indent=1) + '\n')
    out.with_suffix('.meta.json').write_text(json.dumps(summary, indent=1) + '\n')
    print(f'{summary["num_archs"]} architectures, seed-to-seed Kendall tau-b: {summary["seed_to_seed_kendall_tau"]}')
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
