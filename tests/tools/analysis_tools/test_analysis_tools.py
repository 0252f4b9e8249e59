"""The performance checks under tools/analysis_tools/ run with their smallest settings and print their tables.

Only the tables are checked (every expected row, finite positive ratios); the timing targets are not: a timing
target is for the benchmark to judge on a quiet machine, never for a unit test."""
import importlib
import math
import re

import pytest
import torch

NUMBER = r'([-+]?(?:\d+\.?\d*|nan|inf))'


def load(name: str):
    return importlib.import_module(f'tools.analysis_tools.{name}')


@pytest.fixture
def keep_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_scoring_benchmark_prints_every_space_and_proxy(capsys, keep_threads):
    smallest = ['--batch', '4', '--recalib-batches', '1', '--val-batches', '1', '--memory-batches', '1',
                '--probe-batches', '1', '--repeats', '1', '--probe-repeats', '1', '--warmup', '0', '--threads', '1']
    assert load('scoring').main(smallest) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        match = re.match(rf'(resnest|track1)\s+(probe training|top1|knn|contrastive|linear_probe)\s+\S+'
                         rf'\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s', line)
        if match:
            rows[match[1], match[2]] = tuple(float(x) for x in match.groups()[2:])
    proxies = ('probe training', 'top1', 'knn', 'contrastive', 'linear_probe')
    assert set(rows) == {(space, proxy) for space in ('resnest', 'track1') for proxy in proxies}, out
    for key, (score_ms, bare_ms, ratio) in rows.items():
        assert all(math.isfinite(x) and x > 0 for x in (score_ms, bare_ms, ratio)), (key, out)
    assert 'target: score / bare forwards <= 1.2' in out


def test_pinas_step_benchmark_prints_the_step_its_parts_and_the_ratio(capsys, keep_threads):
    assert load('pinas_step').main(['--batch', '4', '--repeats', '1', '--warmup', '0', '--threads', '1']) == 0
    out = capsys.readouterr().out
    seconds = {name: float(median) for name, median, _, _ in
               re.findall(rf'^(\S.*?)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}$', out, re.M)}
    expected = ['Pi-NAS step (2 paths)', 'training pass, path A', 'training pass, path B', 'forward pass, path A',
                'forward pass, path B', 'sum of parts']
    assert list(seconds) == expected, out
    assert all(math.isfinite(s) and s > 0 for s in seconds.values()), out
    ratio = re.search(rf'^ratio step / parts\s+{NUMBER}\s', out, re.M)
    assert ratio and math.isfinite(float(ratio[1])) and float(ratio[1]) > 0, out
    assert re.search(r'^target: ratio <= 1\.05 at 1 and 2 threads', out, re.M), out
