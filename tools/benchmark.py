"""Run a transfer benchmark: every (entry, task, seed) of a config under configs/benchmarks/ trained and tested,
one result record each; jobs that have a record are skipped, an interrupted one resumes.

    python tools/benchmark.py configs/benchmarks/smoke_cpu.py [--work-dir DIR]
    python tools/benchmark.py CONFIG --launcher pytorch --gpus 8           # each job via tools/dist_train.sh
    python tools/benchmark.py CONFIG --launcher slurm --partition P --print-commands

Exit status: 0 when every job has a record, 1 when a job failed (the others still ran), 2 for a usage error.
The logic lives in downstream.apis.benchmark.
"""
import sys
from pathlib import Path

from downstream.apis.benchmark import benchmark_main
from pinas.apis.runner import read_config
from pinas.utils.cli import cli_main


@cli_main()
def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and Path(argv[0]).is_file():  # CONFIG: a syntax error is read_config's one line, not a trace
        read_config(Path(argv[0]))
    return benchmark_main(argv)


if __name__ == '__main__':
    sys.exit(main())
