"""Ground truth made here: seeded architecture samples, the training recipe, and a run that resumes."""
import json
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import torch

from pinas.studies.ground_truth import (SyntheticData, TrainSettings, run_ground_truth, sample_archs, shard_path,
                                     summarize, warmup_cosine)
from pinas.datasets import SyntheticSpec
from pinas.models import StandaloneResNeSt
from pinas.spaces import build_space

TINY = build_space('pinas_resnest_tiny')
RECIPE = Path(__file__).resolve().parents[3] / 'configs/ranking/ground_truth.py'


@pytest.mark.parametrize('concentration', [None, 0.5])
def test_samples_are_distinct_valid_and_seeded(concentration):
    archs = sample_archs(TINY, 30, seed=0, concentration=concentration)
    assert len(set(archs)) == 30 and all(TINY.parse(a) == a for a in archs)
    assert archs == sample_archs(TINY, 30, seed=0, concentration=concentration)
    assert archs != sample_archs(TINY, 30, seed=1, concentration=concentration)


def test_a_small_concentration_spreads_the_candidate_mix():
    def purity(archs):  # mean share of each architecture's most frequent candidate
        return sum(max(a.choices.count(c) for c in range(4)) / 6 for a in archs) / len(archs)
    assert purity(sample_archs(TINY, 30, 0, concentration=0.5)) > purity(sample_archs(TINY, 30, 0)) + 0.1


def test_dirichlet_sample_of_track1_spans_narrow_to_wide_and_starts_with_the_extremes():
    """Track-1 positions have 4, 8 or 16 widths: the Dirichlet picks slices (narrowest quarter ... widest quarter)
    of every position's choices, so a small concentration gives mostly-narrow and mostly-wide networks, not only
    the average mix of a uniform draw; with extremes the smallest and the largest network come first."""
    space = build_space('track1_resnet20')
    archs = sample_archs(space, 40, 0, concentration=0.2, extremes=True)
    assert archs[0] == space.parse('4-' * 19 + '4') and space.format(archs[1]) == space.format(
        space.parse('16-' * 7 + '32-' * 6 + '64-' * 6 + '64'))
    assert len(set(archs)) == 40 and all(space.parse(a) == a for a in archs)
    assert archs == sample_archs(space, 40, 0, concentration=0.2, extremes=True)

    def spread(sample):  # std over architectures of the mean relative width index
        means = [np.mean([c / (k - 1) for c, k in zip(a.choices, space.cardinalities)]) for a in sample]
        return float(np.std(means))
    assert spread(sample_archs(space, 40, 0, concentration=0.2)) > 2 * spread(sample_archs(space, 40, 0))
    assert sample_archs(TINY, 30, 0, concentration=0.5) == sample_archs(TINY, 30, 0, concentration=0.5,
                                                                        extremes=False)  # equal choices: as before


def test_warmup_then_cosine():
    factors = [warmup_cosine(s, warmup=4, total=12) for s in range(12)]
    assert factors[:4] == [0.25, 0.5, 0.75, 1.0]
    assert factors[4] == 1.0 and all(a > b for a, b in zip(factors[4:], factors[5:])) and factors[-1] > 0


def _tiny_job(tmp_path):
    """Data (generated under ``tmp_path``), settings, 3 architectures and their builder for ground-truth runs of a
    second or two each."""
    spec = SyntheticSpec(train_per_class=2, val_per_class=1)
    settings = TrainSettings.from_config(RECIPE, epochs=1, batch_size=16)
    return SyntheticData(tmp_path / 'data', spec), settings, sample_archs(TINY, 3, seed=0), \
        lambda arch: StandaloneResNeSt(arch, TINY, num_classes=spec.num_classes)


@pytest.mark.slow
def test_runs_resume_without_retraining_and_report_the_seed_to_seed_tau(tmp_path):
    data, settings, archs, build = _tiny_job(tmp_path)
    out, logs = tmp_path / 'gt.runs.json', []
    first = run_ground_truth(TINY, build, archs[:2], [0, 1], out, data, settings, logs.append)
    assert len(logs) == 4
    again = run_ground_truth(TINY, build, archs, [0, 1], out, data, settings, logs.append)
    assert len(logs) == 6  # only the new architecture trained
    assert {k: again['runs'][k] for k in first['runs']} == first['runs']
    summary = summarize(again, [0, 1])
    assert summary['num_archs'] == 3 and set(summary['seed_to_seed_kendall_tau']) == {'0-1'}
    with pytest.raises(ValueError, match='produced with other settings'):
        run_ground_truth(TINY, build, archs, [0], out, data,
                         TrainSettings.from_config(RECIPE, epochs=2), print)


@pytest.mark.slow
def test_shards_split_the_jobs_and_a_plain_run_collects_them(tmp_path):
    data, settings, archs, build = _tiny_job(tmp_path)
    out, logs = tmp_path / 'gt.runs.json', []
    for index in range(2):  # as two processes would, one after the other here
        run_ground_truth(TINY, build, archs, [0, 1], out, data, settings, logs.append,
                         shard=(index, 2))
    assert len(logs) == 6  # the 6 jobs split 3 + 3, none twice
    assert shard_path(out, 0, 2).is_file() and shard_path(out, 1, 2).is_file() and not out.exists()
    table = run_ground_truth(TINY, build, archs, [0, 1], out, data, settings, logs.append)
    assert len(logs) == 6  # collecting trains nothing
    assert summarize(table, [0, 1])['num_archs'] == 3 and out.is_file()


def test_kept_checkpoints_are_written_before_their_run_is_recorded_and_named_by_sha256(tmp_path, monkeypatch):
    """A transfer ground truth fine-tunes from the pretraining runs' own weights: each run keeps them, the runs file
    names the file and its sha256, and a run recorded without its file trains again rather than leaving a hole."""
    import hashlib

    from pinas.studies.ground_truth import CHECKPOINTS, checkpoint_path, kept_checkpoints
    data, settings, archs, build = _tiny_job(tmp_path)
    out, logs, kept_dir = tmp_path / 'gt.runs.json', [], tmp_path / 'kept'
    table = run_ground_truth(TINY, build, archs[:2], [0, 1], out, data, settings, logs.append,
                             checkpoint_dir=kept_dir)
    meta, kept = kept_checkpoints(out)
    assert meta == table['meta'] and kept.keys() == table[CHECKPOINTS].keys() and len(logs) == 4
    code = TINY.format(archs[0])
    entry = kept[code]['1']
    assert table[CHECKPOINTS][code]['1'] == dict(entry, file=f'kept/{code}/seed1.pth')  # relative to the runs file
    assert entry['file'] == str(checkpoint_path(kept_dir, code, 1))  # as a path to open
    assert entry['sha256'] == hashlib.sha256((kept_dir / code / 'seed1.pth').read_bytes()).hexdigest()
    saved = torch.load(entry['file'], map_location='cpu')
    assert saved['meta']['top1'] == table['runs'][code]['1'] and saved['meta']['arch'] == code
    model = build(archs[0])
    model.load_state_dict(saved['state_dict'])  # the network's own keys, nothing missing

    (kept_dir / code / 'seed1.pth').unlink()
    run_ground_truth(TINY, build, archs[:2], [0, 1], out, data, settings, logs.append,
                     checkpoint_dir=kept_dir)
    assert len(logs) == 5 and (kept_dir / code / 'seed1.pth').is_file()  # only the run that lost its file
    with pytest.raises(ValueError, match='does not exist'):
        kept_checkpoints(tmp_path / 'none.runs.json')
    # the runs file names the files relative to itself: a copy names its own; an older file's cwd-relative names read
    copy = tmp_path / 'copy'
    copy.mkdir()
    shutil.copytree(kept_dir, copy / 'kept')
    shutil.copy(out, copy / out.name)
    assert kept_checkpoints(copy / out.name)[1][code]['1']['file'] == str(copy / 'kept' / code / 'seed1.pth')
    old = json.loads(out.read_text())
    old[CHECKPOINTS][code]['1']['file'] = f'kept/{code}/seed1.pth'
    (tmp_path / 'old').mkdir()
    (tmp_path / 'old' / out.name).write_text(json.dumps(old))
    monkeypatch.chdir(tmp_path)
    assert kept_checkpoints(tmp_path / 'old' / out.name)[1][code]['1']['file'] == f'kept/{code}/seed1.pth'


def test_a_batch_larger_than_the_data_is_refused_before_any_run(tmp_path):
    """drop_last would give 0 steps per epoch: every run would report its untrained network as ground truth."""
    data, _, archs, build = _tiny_job(tmp_path)
    with pytest.raises(ValueError, match='0 steps per epoch'):
        run_ground_truth(TINY, build, archs, [0], tmp_path / 'gt.runs.json', data,
                         TrainSettings.from_config(RECIPE, epochs=1, batch_size=1000), print)


def test_the_recipe_is_the_config_s_and_the_committed_tables_trained_with_it():
    """configs/ranking/ground_truth.py holds the recipe (nothing in code does): the committed tiny-space table's
    runs trained with exactly its values, the Track-1 tables with its values at --epochs 10."""
    results = RECIPE.parents[2] / 'results/ground_truth'
    for table, epochs in (('pinas_resnest_tiny', {}), ('track1_resnet20_e10', dict(epochs=10))):
        trained = json.loads((results / f'{table}.runs.json').read_text())['meta']['train']
        assert asdict(TrainSettings.from_config(RECIPE, **epochs)) == trained


def test_a_recipe_missing_or_adding_a_setting_is_refused_with_the_names(tmp_path):
    partial = tmp_path / 'partial.py'
    partial.write_text('standalone_train = dict(epochs=1, lr=0.1, nesterov=True)\n')
    with pytest.raises(ValueError, match=r'lacks warmup_epochs, batch_size, momentum, weight_decay, crop_padding '
                                         r'and has unknown nesterov'):
        TrainSettings.from_config(partial)
    with pytest.raises(ValueError, match='does not exist'):
        TrainSettings.from_config(tmp_path / 'none.py')


def test_runs_files_of_one_setting_join_into_a_table_over_every_seed(tmp_path):
    """Seeds trained as separate tables (the classification table's 0 and 1, a transfer ground truth's pretraining
    seeds 2 and 3) rank as one table over all four; a seed two files hold with different values, or a file of other
    settings, is refused."""
    from pinas.studies.ground_truth import CODE, RUNS, join_runs, runs_meta
    data, settings, archs, _ = _tiny_job(tmp_path)
    meta = runs_meta(TINY, data, settings)
    codes = [TINY.format(a) for a in sample_archs(TINY, 6, seed=0)]
    state = dict(git_commit='abc', git_dirty=False)

    def runs_file(name, seeds, offset=0.0, file_meta=meta):
        path = tmp_path / f'{name}.runs.json'
        runs = {c: {str(s): 50.0 + i + s + offset for s in seeds} for i, c in enumerate(codes)}
        path.write_text(json.dumps({'meta': file_meta, RUNS: runs, CODE: {c: {str(s): state for s in seeds} for c in codes}}))
        return path

    first, second = runs_file('s01', [0, 1]), runs_file('s23', [2, 3])
    table = join_runs({'meta': meta, RUNS: {}, CODE: {}}, [first, second])
    summary = summarize(table, [0, 1, 2, 3])
    assert summary['num_archs'] == 6 and len(summary['seed_to_seed_kendall_tau']) == 6  # every pair of 4 seeds
    assert summary['rows'][0]['top1_seed3'] == 50.0 + 5 + 3 and table[CODE][codes[0]]['2'] == state
    assert join_runs(table, [first])[RUNS] == table[RUNS]  # the same runs twice are the same runs
    shutil.copy(second, tmp_path / 'shards.runs.shard1of2.json')  # a file's shards join with it
    (tmp_path / 'shards.runs.json').write_text(json.dumps({'meta': meta, RUNS: {}}))
    assert join_runs({'meta': meta, RUNS: {}}, [first, tmp_path / 'shards.runs.json'])[RUNS] == table[RUNS]
    with pytest.raises(ValueError, match=r's01\.runs\.json and .*clash\.runs\.json both hold seed 0 of .*different'):
        join_runs({'meta': meta, RUNS: {}}, [first, runs_file('clash', [0], offset=1.0)])
    other = dict(meta, train=dict(meta['train'], epochs=meta['train']['epochs'] + 1))
    with pytest.raises(ValueError, match='produced with other settings'):
        join_runs({'meta': meta, RUNS: {}}, [runs_file('other', [4], file_meta=other)])
    with pytest.raises(ValueError, match='none.runs.json does not exist'):
        join_runs({'meta': meta, RUNS: {}}, [tmp_path / 'none.runs.json'])


def test_a_ground_truth_trains_on_datasets_of_the_registry_fingerprinted_by_their_images(tmp_path):
    """At full size the table trains on a dataset such as CIFAR-100 (``standalone_data`` of a data config): its runs
    file records the datasets' config and a fingerprint of the images themselves, so runs on a changed copy are not
    mixed in."""
    from pinas.datasets import make_synthetic_dataset
    from pinas.studies.ground_truth import RegistryData, standalone_data
    synthetic, settings, archs, build = _tiny_job(tmp_path)
    make_synthetic_dataset(synthetic.root, synthetic.spec)  # an image folder on disk, standing in for CIFAR-100
    pipeline = [dict(type='ToTensor'), dict(type='Normalize', mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))]
    folder = lambda split, root=synthetic.root: dict(type='ImageFolder', root=str(root),  # noqa: E731
                                                      ann_file=f'meta/{split}.txt', pipeline=pipeline)
    cfg = dict(standalone_data=dict(num_classes=synthetic.num_classes, train=folder('train'), val=folder('val')))
    data = standalone_data(cfg)
    assert isinstance(data, RegistryData) and data.num_classes == synthetic.num_classes
    import mmdet.registry  # noqa: F401  (the mmdet scope exists)
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):  # as a transfer job in the same process leaves it
        (x, y), _ = data.tensors()
    assert torch.allclose(x, synthetic.tensors()[0][0], atol=1e-5) and torch.equal(y, synthetic.tensors()[0][1])
    out = tmp_path / 'gt.runs.json'
    table = run_ground_truth(TINY, build, archs[:1], [0], out, data, settings, lambda _: None)
    saved = json.loads(out.read_text())['meta']
    assert saved == table['meta'] and saved['dataset']['train']['pipeline'][1]['mean'] == [0.5, 0.5, 0.5]

    changed = tmp_path / 'changed'  # the same files with one label swapped: another dataset
    shutil.copytree(synthetic.root, changed)
    lines = (changed / 'meta/train.txt').read_text().splitlines()
    path, label = lines[0].rsplit(' ', 1)
    lines[0] = f'{path} {(int(label) + 1) % synthetic.num_classes}'
    (changed / 'meta/train.txt').write_text('\n'.join(lines) + '\n')
    moved = RegistryData(dict(cfg['standalone_data'], train=folder('train', changed), val=folder('val', changed)))
    assert moved.meta()['dataset_fingerprint'] != data.meta()['dataset_fingerprint']
    with pytest.raises(ValueError, match='standalone_data needs num_classes .* train and val'):
        standalone_data(dict(standalone_data=dict(num_classes=4, train=folder('train'))))
    with pytest.raises(ValueError, match='defines neither standalone_data .* nor data_root and synthetic'):
        standalone_data(dict(data_root='data'))


def test_a_classification_table_s_card_says_what_was_trained_and_how_reproducible_it_is():
    from pinas.studies.ground_truth import format_card
    meta = {'space': 'track1_resnet20', 'dataset_fingerprint': 'f' * 16, 'train': {'epochs': 10}}
    rows = [{'arch': f'a{i}', 'score': 50.0 + i, 'top1_seed0': 50.0 + i, 'top1_seed1': 50.5 + i} for i in range(5)]
    summary = dict(meta=meta, num_archs=5, seeds=[0, 1], seed_to_seed_kendall_tau={'0-1': 1.0},
                   seed_to_seed_kendall_tau_b={'value': 1.0, 'ci': [None, None]}, rows=rows)
    card = format_card(summary)
    assert card.startswith('**top1: 5 architectures x seeds 0, 1**')
    assert 'stand-alone classification, space track1_resnet20; schedule epochs 10; dataset fingerprint `ffff' in card
    assert '| 5 | `a4` | 54.00 | 54.00 | 54.50 |' in card
