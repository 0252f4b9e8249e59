"""External validity without training: the suite's networks reproduce the published benchmarks' tables, so its
baselines can be compared with the published numbers (arXiv 2108.05866; arXiv 2103.11922).

The public tables stay outside the repository, in ``../shared/data`` beside it (as on CI); the tests that read them
skip when it is missing."""
import json
from itertools import product
from pathlib import Path

import pytest

from pinas.complexity import measure_complexity
from pinas.models import build_standalone
from pinas.ranking import kendall_tau_b
from pinas.studies.zero_cost import score_architectures, shape_batch
from pinas.spaces import build_space

pytestmark = pytest.mark.usefixtures('one_thread')  # tests/conftest.py

DATA = Path(__file__).resolve().parents[4] / 'shared' / 'data'
TRACK1_GT = DATA / 'track1_gt_first_1000.json'
MACRO_GT = DATA / 'nas-bench-macro_cifar10.json'
TRACK1_PARAMS_TAU = 0.587  # arXiv 2108.05866: params of the official stand-alone net vs the challenge's ground truth
TAU_TOLERANCE = 0.02
# NAS-Bench-Macro's own "params" and "flops" (conv + linear MACs) of three networks of its table.
MACRO_COUNTS = {'00000000': (387882, 7713280), '02012100': (890666, 47327744), '22222222': (2932586, 105660928)}


def _read(path: Path) -> dict:
    if not path.is_file():
        pytest.skip(f'{path} is missing: the public tables live in ../shared/data beside the repository')
    return json.loads(path.read_text())


def test_track1_codes_are_the_challenges():
    space, table = build_space('track1_resnet20'), _read(TRACK1_GT)
    codes = [entry['arch'] for entry in table.values()]
    assert len(codes) == 1000 and all(space.format(space.parse(code)) == code for code in codes)


@pytest.mark.slow
def test_track1_params_rank_the_challenges_ground_truth_as_published():
    """tools/zero_cost.py track1_resnet20 ../shared/data/track1_gt_first_1000.json --proxies params
    --config configs/ranking/zero_cost_cifar100.py, in one call of the library."""
    space, table = build_space('track1_resnet20'), _read(TRACK1_GT)
    accuracy = {entry['arch']: entry['acc'] for entry in table.values()}
    scores = score_architectures(space, list(accuracy), ['params'], shape_batch(space.input_size), 100,
                                 log=None)['params']
    assert min(scores.values()) == 25800 and max(scores.values()) == 201812  # the ResNet20's range
    tau = kendall_tau_b([scores[c] for c in accuracy], list(accuracy.values()))
    assert abs(tau - TRACK1_PARAMS_TAU) <= TAU_TOLERANCE, tau


@pytest.mark.parametrize('code', sorted(MACRO_COUNTS))
def test_nasbench_macro_network_counts_are_the_benchmarks(code):
    complexity = measure_complexity(build_standalone('nasbench_macro', code), 32)
    assert (complexity.params, complexity.macs) == MACRO_COUNTS[code]


def test_nasbench_macro_codes_of_one_network_format_alike():
    space = build_space('nasbench_macro')
    assert space.format('12202010') == '12220010' and space.format('00110021') == '00110021'
    canonical = {space.format(code) for code in product(range(3), repeat=8)}
    assert len(canonical) == 3969  # the benchmark's distinct networks (arXiv 2103.11922)


def test_nasbench_macro_table_holds_each_network_under_its_formatted_code():
    space, table = build_space('nasbench_macro'), _read(MACRO_GT)
    assert all(entry == table[space.format(code)] for code, entry in table.items())
    assert len({space.format(code) for code in table}) == 3969
