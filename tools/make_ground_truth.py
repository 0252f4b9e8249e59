"""Train sampled architectures stand-alone on the embedded default (several seeds) and write a ground-truth table.

    python tools/make_ground_truth.py --space pinas_resnest_tiny --num-archs 30 --seeds 0 1 \
        --out results/ground_truth/pinas_resnest_tiny.json

At full size, ``--data-config configs/ranking/ground_truth_cifar100.py`` trains on CIFAR-100 (the Track-1
challenge's data) instead, with ``--device cuda`` and one ``--shard`` per GPU (see that config).

OUT is a ranked table (rows of arch, mean top-1 as ``score``, per-seed top-1), readable by tools/rank_eval.py;
``<OUT stem>.runs.json`` holds the raw runs (the job resumes from it) with the code state each trained with,
``<OUT stem>.meta.json`` the settings (with the dataset fingerprint), the code states of the table's runs and
the seed-to-seed Kendall tau, ``<OUT stem>.md`` its card (the table as a reader checks it: seed tau, noise ceiling,
every row), and ``<OUT stem>.archs.txt`` the whole sample from the start (one code per line: what
tools/zero_cost.py and tools/ranking_study.py --score-also read while the table is still training).

To share the work among N processes or cluster jobs, run the same command with ``--shard K/N`` for K = 0..N-1
(each trains every N-th (arch, seed) job into ``<OUT stem>.runs.shardKofN.json``), then once without ``--shard``:
it collects the shard files, trains whatever is still missing and writes the table. ``--collect`` writes the table
of what the shards have finished so far (the architectures with every seed) and trains nothing; with
``--runs-from`` it joins other runs files of the same settings, e.g. one table over the seeds of two:

    python tools/make_ground_truth.py --space track1_resnet20 --archs configs/transfer_gt/track1_60.archs.txt \
        --seeds 0 1 2 3 --epochs 10 --collect --out results/ground_truth/track1_resnet20_e10_s0123.json \
        --runs-from results/ground_truth/track1_resnet20_e10.runs.json \
                    results/ground_truth/track1_resnet20_e10_s23.runs.json

A transfer ground truth: ``--keep-checkpoints DIR`` keeps every run's weights, a transfer benchmark fine-tunes
each architecture from them (``dict(standalone=<OUT stem>.runs.json)`` entries), and ``--from-records WORK_DIR``
makes the table of that benchmark task's records (per-seed columns ``<metric>_seed<s>``):

    python tools/make_ground_truth.py --from-records work_dirs/transfer_gt/track1/deeplabv3_ade-small \
        --out results/ground_truth/track1_resnet20_ade_small.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pinas.apis.runner import read_config
from pinas.studies.ground_truth import (CHECKPOINTS, CODE, RUNS, TrainSettings, code_states, collect_runs, format_card,
                                        join_runs, run_ground_truth, runs_meta, sample_archs, standalone_data,
                                        summarize)
from pinas.leaderboard.record import RecordError, load_records
from pinas.leaderboard.table import LeaderboardError
from pinas.leaderboard.truth import run_minutes, transfer_runs
from pinas.models import build_standalone
from pinas.ranking.metrics import MIN_PAIRS
from pinas.ranking.tables import TableError, read_code_list
from pinas.spaces import build_space, list_spaces
from pinas.utils.cli import (ArgumentParser, UsageError, cli_main, device_name, parse_shard, positive_int,
                             writable_dir, writable_file)
from pinas.utils.files import atomic_write_bytes, remove_stale_temp_files

ROOT = Path(__file__).resolve().parents[1]


@cli_main()
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--space', default='pinas_resnest_tiny', choices=list_spaces(), help='search space preset')
    parser.add_argument('--num-archs', type=positive_int, default=30)
    parser.add_argument('--arch-seed', type=int, default=0, help='seed of the architecture sample')
    parser.add_argument('--concentration', type=float, default=None,
                        help='Dirichlet concentration of a stratified sample (see sample_archs); default: uniform')
    parser.add_argument('--extremes', action='store_true',
                        help='include the smallest and the largest architecture (every position\'s first / last '
                             'choice) in the sample')
    parser.add_argument('--archs', metavar='FILE',
                        help='train these architectures (codes of --space, one per line, in the order given: e.g. '
                             'another table\'s .archs.txt) instead of drawing a sample')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='training seeds')
    parser.add_argument('--recipe', default=str(ROOT / 'configs/ranking/ground_truth.py'),
                        help='config whose standalone_train dict is the training recipe')
    parser.add_argument('--epochs', type=positive_int, help='training epochs (default: the recipe\'s)')
    parser.add_argument('--data-config', default=str(ROOT / 'configs/search/_base_/datasets/embedded.py'),
                        help='config whose data_root and synthetic dict define the dataset (the embedded default), or '
                             'whose standalone_data gives datasets (configs/ranking/ground_truth_cifar100.py: '
                             'CIFAR-100, the Track-1 challenge\'s data)')
    parser.add_argument('--out', required=True)
    parser.add_argument('--shard', type=parse_shard, help='K/N: train only shard K of N (see above)')
    parser.add_argument('--collect', action='store_true',
                        help='write the table from the runs finished so far (every seed of an architecture) and train '
                             'nothing, e.g. while shards are still running')
    parser.add_argument('--runs-from', nargs='+', metavar='RUNS', default=[],
                        help='with --collect: join the runs of other runs files of the same settings (each with its '
                             'shard files; e.g. another table\'s seeds) into this table, to rank over every seed')
    parser.add_argument('--device', type=device_name, help='where to train (default: cuda when available, else cpu)')
    parser.add_argument('--keep-checkpoints', metavar='DIR',
                        help='keep every run\'s trained weights as DIR/<code>/seed<S>.pth, named with their sha256 '
                             'in the runs file (what a transfer ground truth fine-tunes from: configs/transfer_gt/)')
    parser.add_argument('--from-records', nargs='+', metavar='DIR',
                        help='train nothing: make a transfer ground truth from the records of one transfer benchmark '
                             'task (its work dir, e.g. work_dirs/transfer_gt/track1/deeplabv3_ade-small), every seed '
                             'they hold; see configs/benchmarks/transfer_gt_track1.py')
    parser.add_argument('--metric', help='with --from-records: the metric (default: the task\'s primary one)')
    args = parser.parse_args(argv)
    writable_file(args.out, '--out', example='ground_truth.json')  # before any work: not after hours of training
    if args.keep_checkpoints:
        writable_dir(args.keep_checkpoints, '--keep-checkpoints')
    if args.runs_from and not args.collect:
        raise UsageError('--runs-from joins finished runs into a table and trains nothing; add --collect')
    if args.from_records:
        return records_table(args.from_records, args.metric, Path(args.out))

    space = build_space(args.space)
    listed = read_arch_list(space, args.archs) if args.archs else None
    check_sample(space, len(listed) if listed else args.num_archs, args.seeds, args.concentration)
    missing = next((path for path in args.runs_from if not Path(path).is_file()), None)
    if missing:
        raise UsageError(f'--runs-from {missing} does not exist; give the .runs.json file of a '
                         'tools/make_ground_truth.py table')
    try:  # before anything is written: a data config without data, or a dataset this machine does not have
        data = standalone_data(read_config(Path(args.data_config)), f'--data-config {args.data_config}')
        data.check()
    except ValueError as err:
        raise UsageError(str(err)) from None
    build_model = lambda arch: build_standalone(space, arch, data.num_classes)  # noqa: E731
    out = Path(args.out)
    runs_path = out.with_suffix('.runs.json')
    remove_stale_temp_files(out.parent)
    try:  # a sample the space cannot give, a runs file made with other settings or one that is not JSON
        archs = listed or sample_archs(space, args.num_archs, args.arch_seed, args.concentration, args.extremes)
        atomic_write_bytes(out.with_suffix('.archs.txt'), ''.join(f'{space.format(a)}\n' for a in archs).encode())
        settings = TrainSettings.from_config(args.recipe, **({'epochs': args.epochs} if args.epochs else {}))
        codes = {space.format(a) for a in archs}
        if args.collect:
            meta = runs_meta(space, data, settings)
            table = {'meta': meta, **{key: collect_runs(runs_path, meta, key) for key in (RUNS, CODE, CHECKPOINTS)}}
            table = join_runs(table, args.runs_from)
        else:
            table = run_ground_truth(space, build_model, archs, args.seeds, runs_path, data, settings,
                                     shard=args.shard, device=args.device,
                                     checkpoint_dir=args.keep_checkpoints and Path(args.keep_checkpoints))
        # The table is this sample's: runs of other architectures in the same runs file (an earlier --num-archs or
        # --arch-seed) stay there, unused, rather than being mixed into it.
        table = {**table, RUNS: {code: seeds for code, seeds in table[RUNS].items() if code in codes}}
    except ValueError as err:
        raise UsageError(str(err)) from None
    if args.shard is not None:
        print(f'shard {args.shard[0]}/{args.shard[1]} done; run the command without --shard to collect the table')
        return 0
    if not any(all(str(s) in seeds for s in args.seeds) for seeds in table[RUNS].values()):
        raise UsageError(f'no architecture of {runs_path} has finished every seed ({" ".join(map(str, args.seeds))}) '
                         'yet; run without --collect to train, or wait for the shards')
    summary = summarize(table, args.seeds)
    summary['arch_sample'] = dict(num_archs=len(archs), archs_file=args.archs) if listed else dict(
        num_archs=args.num_archs, arch_seed=args.arch_seed, concentration=args.concentration, extremes=args.extremes)
    summarized = {row['arch']: {str(s): None for s in args.seeds} for row in summary['rows']}
    summary['code_states'] = code_states({**table, RUNS: summarized})  # of the runs the table averages
    ceiling = summary.get("noise_ceiling_kendall_tau_b", {}).get("value")
    print(f'{summary["num_archs"]} architectures, seed-to-seed Kendall tau-b: {summary["seed_to_seed_kendall_tau"]}; '
          f'noise ceiling of the seeds\' mean: {ceiling}')
    atomic_write_bytes(out.with_suffix('.md'), format_card(summary).encode())
    write_table(out, summary)
    return 0


def records_table(paths, metric: str | None, out: Path) -> int:
    """Write the ground truth of a transfer benchmark task's records: the table, its meta (seed-to-seed tau and
    noise ceiling, the shared settings, each run's initial weights and code state)."""
    try:
        table = transfer_runs(load_records(paths), metric)
    except (LeaderboardError, RecordError) as err:
        raise UsageError(str(err)) from None
    metric = table['meta']['metric']
    seeds = sorted({int(s) for seeds in table[RUNS].values() for s in seeds})
    summary = summarize(table, seeds, column=f'{metric}_seed')
    kept = {row['arch'] for row in summary['rows']}
    summary['provenance'] = {code: runs for code, runs in table['provenance'].items() if code in kept}
    missing = sorted(set(table[RUNS]) - kept)
    summary['incomplete'] = {code: sorted(table[RUNS][code], key=int) for code in missing}  # not every seed yet
    summary['minutes_per_run'] = run_minutes(table['provenance'])
    atomic_write_bytes(out.with_suffix('.md'), format_card(summary).encode())
    write_table(out, summary)
    print(f'{summary["num_archs"]} architectures with seeds {seeds} ({len(missing)} still missing a seed); '
          f'{metric} seed-to-seed Kendall tau-b: {summary["seed_to_seed_kendall_tau"]}')
    return 0


def write_table(out: Path, summary: dict) -> None:
    """The ranked rows to ``out``, the rest of the summary to ``<out stem>.meta.json``."""
    atomic_write_bytes(out, (json.dumps(summary.pop('rows'), indent=1) + '\n').encode())
    atomic_write_bytes(out.with_suffix('.meta.json'), (json.dumps(summary, indent=1) + '\n').encode())
    print(f'wrote {out}')


def read_arch_list(space, path: str) -> list:
    """``--archs``: the architectures of a file of codes (one per line), in order, each listed once."""
    try:
        codes = read_code_list(path, space)
    except TableError as err:
        raise UsageError(f'--archs {err}') from None
    repeated = next((code for i, code in enumerate(codes) if code in codes[:i]), None)
    if repeated is not None:
        raise UsageError(f'--archs {path}: {repeated} is listed twice; list each once')
    if not codes:
        raise UsageError(f'--archs {path} lists no architecture; give one code per line')
    return [space.parse(code) for code in codes]


def check_sample(space, num_archs: int, seeds, concentration: float | None) -> None:
    """Refuse, before any training, a sample the table cannot be made from."""
    if concentration is not None and concentration <= 0:
        raise UsageError(f'--concentration must be positive (a Dirichlet concentration), got {concentration}')
    if num_archs > space.size:
        raise UsageError(f'--num-archs {num_archs}: the space {space.name} has only {space.size} architectures')
    if len(set(seeds)) != len(seeds):
        raise UsageError(f'--seeds {" ".join(map(str, seeds))} repeats a seed; give distinct seeds')
    if len(seeds) > 1 and num_archs < MIN_PAIRS:
        raise UsageError(f'--num-archs {num_archs}: the seed-to-seed Kendall tau needs at least {MIN_PAIRS} '
                         'architectures')


if __name__ == '__main__':
    sys.exit(main())
