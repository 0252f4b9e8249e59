"""Benchmark: the main job (tools/demo.py, what `make demo` runs after setup) end to end, one row per stage.

Runs the demo in a fresh work dir and prints each stage's wall time, its share of the total, and its ratio to the
reference timings (results/benchmarks/e2e.json, the last saved run, which also feeds the demo's per-stage ETA).
The verdict compares the total with the budget (issue 14: 10 minutes on 2 quiet cores); a machine shared with
other jobs runs 3-10x slower, so only a quiet run's verdict means anything.

    python tools/analysis_tools/e2e.py                       # fresh temporary work dir
    python tools/analysis_tools/e2e.py --save                # ... and make this run the reference
    python tools/analysis_tools/e2e.py --timings work_dirs/demo/timings.json   # table of a finished demo, no run
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

from pinas.utils.cli import ArgumentParser, cli_main

BUDGET_S = 600.0
DEMO = Path(__file__).resolve().parents[1] / 'demo.py'


def _demo():
    spec = importlib.util.spec_from_file_location('pinas_demo', DEMO)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while they are created
    spec.loader.exec_module(module)
    return module


def table(stages: list[dict], reference: dict[str, float], budget_s: float) -> str:
    total = sum(row['seconds'] for row in stages)
    lines = [f'{"stage":<14}{"seconds":>10}{"share":>9}{"reference s":>13}{"ratio":>8}']
    for row in stages:
        ref = reference.get(row['stage'])
        ratio = f'{row["seconds"] / ref:8.2f}' if ref else f'{"-":>8}'
        lines.append(f'{row["stage"]:<14}{row["seconds"]:10.1f}{row["seconds"] / max(total, 1e-9):9.1%}'
                     f'{(f"{ref:.1f}" if ref else "-"):>13}{ratio}')
    verdict = 'within' if total <= budget_s else 'OVER'
    lines.append(f'{"total":<14}{total:10.1f}{1:9.0%}{"":>13}{"":>8}')
    lines.append(f'verdict: {total:.0f} s, {verdict} the {budget_s:.0f} s budget')
    return '\n'.join(lines)


@cli_main()
def main(argv=None) -> int:
    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', help='run the demo here (default: a fresh temporary directory)')
    parser.add_argument('--timings', help='print the table of this timings.json instead of running the demo')
    parser.add_argument('--epochs', type=int, default=3, help='supernet epochs, as `make demo`')
    parser.add_argument('--budget-s', type=float, default=BUDGET_S)
    parser.add_argument('--save', action='store_true', help=f'write the timings to {_demo().REFERENCE_TIMINGS}')
    args = parser.parse_args(argv)
    demo = _demo()
    reference = demo.expected_seconds()
    if args.timings:
        stages = json.loads(Path(args.timings).read_text())['stages']
    else:
        work = Path(args.work_dir or tempfile.mkdtemp(prefix='pinas_e2e_'))
        stages = demo.run_stages(demo.Paths(work=work.resolve(), epochs=args.epochs))
    print(f'\nmain job per stage ({os.cpu_count()} CPUs visible)')
    print(table(stages, reference, args.budget_s))
    if args.save:
        demo.REFERENCE_TIMINGS.parent.mkdir(parents=True, exist_ok=True)
        demo.REFERENCE_TIMINGS.write_text(json.dumps(dict(stages=stages), indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
