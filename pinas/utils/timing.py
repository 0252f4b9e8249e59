"""Timing helpers for benchmarks on shared, noisy machines: how long this process waited for a CPU, and quartiles."""
from __future__ import annotations

import math
import os
import statistics


def cpu_wait_seconds() -> float:
    """Seconds this process's threads have spent runnable but waiting for a CPU (Linux schedstat; nan elsewhere)."""
    total = 0
    try:
        tasks = os.listdir('/proc/self/task')
    except OSError:
        return math.nan
    for task in tasks:
        try:
            with open(f'/proc/self/task/{task}/schedstat') as f:
                total += int(f.read().split()[1])
        except (OSError, ValueError, IndexError):  # a thread that ended meanwhile
            continue
    return total / 1e9


def quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method='inclusive')
    return q[0], q[2]
