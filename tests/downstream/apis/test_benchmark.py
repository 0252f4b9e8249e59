"""tools/benchmark.py: a benchmark config's entries x tasks x seeds become jobs that train and test through the
library (or `python -m downstream` under torchrun / srun), one record each; jobs with records are skipped, an
interrupted one resumes, a failed one is reported while the others run, progress shows done/total and an ETA."""
import json
import os
from pathlib import Path

import pytest
import torch
from transfer_paths import ROOT

from downstream import apis
from downstream.apis import benchmark, records
from pinas.apis import export_architecture, load_config
from pinas.leaderboard.record import RECORD_FILE, load_record
from pinas.models import SuperResNeSt

SPACE = 'pinas_resnest_tiny'
RANKED = {'302113': 0.9, '311021': 0.7, '120230': 0.5, '000000': 0.1}  # code -> search score, best first
SEG_ITERS = 2
SEG_CONFIG = 'configs/smoke/deeplabv3_pinas-tiny-d8_ade-tiny-64x64.py'  # the task of SEG_TASK
SEG_TASK = (f"dict(_base_.smoke_ade_deeplabv3, cfg_options={{'train_cfg.max_iters': {SEG_ITERS}}})")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    """Task config paths are relative to the directory a benchmark runs in, as for tools/train.py."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope='module')
def search(tmp_path_factory):
    """A tools/search.py work dir in miniature: a tiny Pi-NAS supernet checkpoint (its config in the meta, as the
    Runner saves it), the ranked table, the best architecture exported."""
    work = tmp_path_factory.mktemp('pinas')
    supernet = SuperResNeSt(SPACE, num_classes=10)
    meta = dict(epoch=1, cfg="model = dict(type='PiNAS')\nsearch = dict(scorer=dict(type='knn'))\n")
    torch.save(dict(state_dict={f'supernet.{k}': v for k, v in supernet.state_dict().items()}, meta=meta),
               work / 'epoch_1.pth')
    (work / 'last_checkpoint').write_text(str(work / 'epoch_1.pth'))
    rows = [dict(rank=r, arch=code, score=score, eval_index=r - 1) for r, (code, score) in enumerate(RANKED.items(), 1)]
    (work / 'search').mkdir()
    (work / 'search' / 'ranked.json').write_text(json.dumps(rows))
    best = next(iter(RANKED))
    export_architecture(work, best, SPACE, work / 'search' / 'export', score=RANKED[best])
    return work


def write_benchmark(path, body: str):
    path.write_text(f"_base_ = ['{ROOT}/configs/benchmarks/smoke_cpu.py']\n{body}\n")
    return path


def test_entries_expand_to_architectures_with_their_weights(search, tmp_path):
    config = write_benchmark(tmp_path / 'b.py', f"""
search_dir = '{search}'
entries = [dict(model='resnest50d'), dict(uniform=True, space='{SPACE}', weights='scratch'), dict(export=True),
           dict(top=2), dict(bottom=1), dict(arch='311021', name='mine', space='{SPACE}', kind='baseline')]
tasks = [{SEG_TASK}]
seeds = [0, 1]""")
    bench = benchmark.load_benchmark(config, work_dir=str(tmp_path / 'w'))
    entries = {job.entry.name: job.entry for job in bench.jobs}
    best, second, worst = '302113', '311021', '000000'
    prefix = search.name
    assert list(entries) == ['ResNeSt-50', *(f'uniform-{c * 6}' for c in '0123'), f'{prefix}-r1-{best}',
                             f'{prefix}-r2-{second}', f'{prefix}-r4-{worst}', 'mine']  # top-1 is the export
    assert bench.counts == (len(entries), 1, 2) and len(bench.jobs) == 2 * len(entries)
    exported = entries[f'{prefix}-r1-{best}']
    assert exported.arch.endswith(f'export/{best}.json') and exported.weights.endswith('_mmengine_backbone.pth')
    assert entries[f'{prefix}-r4-{worst}'].weights == str(search / 'epoch_1.pth')  # sliced by the backbone
    job = next(j for j in bench.jobs if j.entry.name == 'mine' and j.seed == 1)
    assert job.work_dir == tmp_path / 'w' / 'deeplabv3_ade-tiny' / 'mine' / 'seed1'
    assert job.cfg_options() == {'train_cfg.max_iters': SEG_ITERS, 'model.backbone.arch': '311021',
                                 'randomness.seed': 1, 'record.name': 'mine', 'model.backbone.space': SPACE,
                                 'record.kind': 'baseline'}
    with pytest.raises(benchmark.BenchmarkError, match='--cfg-options train_cfg.max_iters: a benchmark config has'):
        benchmark.load_benchmark(config, cfg_options={'train_cfg.max_iters': 2})  # a task's setting, not the benchmark's
    assert benchmark.load_benchmark(config, work_dir=str(tmp_path / 'w'), cfg_options={'seeds': [3]}).counts[2] == 1
    with pytest.raises(benchmark.BenchmarkError, match='entries\\[0\\].*top'):
        benchmark.load_benchmark(write_benchmark(tmp_path / 'bad.py', 'entries = [dict(top=1, depth=3)]'))


def test_print_commands_for_each_launcher(search, tmp_path, capsys):
    config = write_benchmark(tmp_path / 'b.py', f"entries = [dict(top=1, search='{search}')]\ntasks = [{SEG_TASK}]")
    work = tmp_path / 'w'
    assert apis.benchmark_main([str(config), '--work-dir', str(work), '--print-commands']) == 0
    plain = capsys.readouterr().out
    assert '1 jobs (1 entries x 1 tasks x 1 seeds)' in plain and '0 have records, 1 to run' in plain
    assert f'python -m downstream train {SEG_CONFIG} --work-dir' in plain
    assert f'python -m downstream test {SEG_CONFIG} {work}/' in plain
    assert 'model.backbone.init_cfg.checkpoint=' in plain and f'record.search={search}/search' in plain
    assert apis.benchmark_main([str(config), '--work-dir', str(work), '--print-commands',
                                '--launcher', 'pytorch', '--gpus', '2']) == 0
    dist = capsys.readouterr().out
    launch = 'python -m pinas.utils.launch --nproc_per_node=2 -m downstream'
    assert f'{launch} train {SEG_CONFIG} --launcher pytorch --work-dir' in dist
    assert ' --resume ' in dist and f'&& \\\n    {launch} test ' in dist
    assert apis.benchmark_main([str(config), '--work-dir', str(work), '--print-commands',
                                '--launcher', 'slurm', '--partition', 'gpu', '--gpus', '16']) == 0
    slurm = capsys.readouterr().out
    srun = 'srun -p gpu --job-name=deeplabv3_ade-tiny_'
    assert srun in slurm and '--gres=gpu:8 --ntasks=16 --ntasks-per-node=8 ' in slurm
    for command in ('train', 'test'):
        assert f' python -u -m downstream {command} {SEG_CONFIG} --launcher=slurm' in slurm
    assert not work.exists()  # printing runs nothing


def _timestamped_runs(work_dir):
    return sorted(p.name for p in work_dir.iterdir() if p.is_dir())


@pytest.mark.slow
def test_benchmark_runs_resumes_reports_failures_and_skips_what_has_records(search, tiny_data, tmp_path, capsys):
    config = write_benchmark(tmp_path / 'b.py', f"""
search_dir = '{search}'
entries = [dict(top=1), dict(arch='31102', name='bad-code', space='{SPACE}')]
tasks = [{SEG_TASK}]""")
    work = tmp_path / 'w'
    bench = benchmark.load_benchmark(config, work_dir=str(work))
    best, bad = bench.jobs
    # an interrupted job: half of its schedule trained (a checkpoint, but no test yet)
    apis.train(load_config(best.task.config, cfg_options={**best.cfg_options(), 'train_cfg.max_iters': 1},
                           work_dir=str(best.work_dir)))
    assert apis.benchmark_main([str(config), '--work-dir', str(work)]) == 1
    out = capsys.readouterr().out
    assert '2 jobs (2 entries x 1 tasks x 1 seeds)' in out and '0 have records, 2 to run' in out
    assert f'[benchmark] 1/2 run  {best.label}' in out
    assert f'[benchmark] 1/2 done {best.label} in ' in out and 'ETA' in out
    assert f'[benchmark] 2/2 FAILED {bad.label}: architecture 31102 has 5 positions' in out
    assert f'[benchmark] finished: 1/2 jobs have records; 1 failed: {bad.label}' in out
    logs = '\n'.join(p.read_text() for p in best.work_dir.rglob('*.log'))
    assert 'resumed epoch: 0, iter: 1' in logs

    record = load_record(best.work_dir / RECORD_FILE)
    assert record.schedule == {'iters': SEG_ITERS} and record.name == best.entry.name
    assert record.pretrain == 'supernet-inherited'
    prov = record.provenance
    assert (prov.kind, prov.method, prov.score_name, prov.rank, prov.score) == ('search', 'pinas', 'knn', 1, 0.9)
    assert prov.supernet_sha256 == records.sha256_file(search / 'epoch_1.pth')
    assert prov.ranked_file == os.path.relpath(search / 'search' / 'ranked.json', best.work_dir)  # from the record
    assert record.checkpoint == f'iter_{SEG_ITERS}.pth' and not os.path.isabs(record.pretrained_checkpoint)

    runs = _timestamped_runs(best.work_dir)
    assert apis.benchmark_main([str(config), '--work-dir', str(work)]) == 1  # bad-code still fails
    again = capsys.readouterr().out
    assert f'1/2 skip {best.label}: has a record (mIoU ' in again and '1 have records, 1 to run' in again
    assert _timestamped_runs(best.work_dir) == runs  # nothing trained or tested

    # the records alone, for a results directory under version control (checkpoints stay in the work dirs)
    out = tmp_path / 'results'
    assert apis.benchmark_main([str(config), '--work-dir', str(work), '--export-records', str(out)]) == 0
    exported = sorted(p.relative_to(out) for p in out.rglob('*') if p.is_file())
    assert exported == [best.work_dir.relative_to(work) / RECORD_FILE]
    assert load_record(out / exported[0]) == record
    assert 'exported 1 record(s) of 2 jobs' in capsys.readouterr().out


@pytest.mark.slow
def test_a_record_is_reused_only_for_the_inputs_that_produced_it(search, tiny_data, tmp_path, capsys):
    """A job's record stands for it only while the key the job would now produce (the resolved config's hash, the
    data fingerprint, the architecture, the seed, the initial weights' sha256) is the record's; otherwise the job
    runs again from nothing, its old run set aside where no leaderboard reads it, and the line says what changed."""
    import dataclasses
    import shutil
    from pinas.leaderboard.record import find_records
    copy = tmp_path / 'search'
    shutil.copytree(search, copy)  # its exported weights are retrained below
    work = tmp_path / 'w'

    def run(iters: int, *extra: str, status: int = 0) -> tuple[benchmark.Job, str]:
        config = write_benchmark(tmp_path / 'b.py', f"entries = [dict(export=True, search='{copy}')]\ntasks = "
                                 f"[dict(_base_.smoke_ade_deeplabv3, cfg_options={{'train_cfg.max_iters': {iters}}})]")
        assert apis.benchmark_main([str(config), '--work-dir', str(work), *extra]) == status
        (job,) = benchmark.load_benchmark(config, work_dir=str(work)).jobs
        return job, capsys.readouterr().out

    job, _ = run(4)
    old = load_record(job.work_dir / RECORD_FILE)
    assert old.schedule == {'iters': 4}
    assert benchmark.record_key(old) == job.key()
    _, out = run(4)
    assert f'1/1 skip {job.label}: has a record' in out  # unchanged inputs

    job, out = run(2)  # the task config changed from 4 to 2 iterations
    new = load_record(job.work_dir / RECORD_FILE)
    assert new.schedule == {'iters': 2} and new.config_sha256 != old.config_sha256
    assert '0 have records, 1 to run (1 of them over records their inputs no longer produce)' in out
    assert (f'1/1 rerun {job.label}: config changed (record {old.config_sha256[:8]}.., '
            f'now {new.config_sha256[:8]}..); the old run is moved to {job.work_dir}.replaced1') in out
    assert not (job.work_dir / 'iter_4.pth').exists()  # nothing of the old run was resumed
    aside = job.work_dir.with_name(f'{job.work_dir.name}.replaced1')
    assert load_record(aside / f'{RECORD_FILE}.replaced') == old and (aside / 'iter_4.pth').is_file()
    assert find_records([work]) == [job.work_dir / RECORD_FILE]

    # each field of the key is checked: a record of another seed, architecture or data is not this job's
    key = job.key()
    for field, value, name in (('seed', 7, 'seed'), ('arch', '000000', 'arch'),
                               ('dataset_fingerprint', 'f' * 16, 'data')):
        (change,) = benchmark.key_changes(dataclasses.replace(new, **{field: value}), key)
        assert (change.field, change.stored, change.current) == (name, value, getattr(new, field))
    weights = torch.load(job.entry.weights, weights_only=False)  # the exported weights retrained, same path
    first = next(iter(weights['state_dict']))
    weights['state_dict'][first] = weights['state_dict'][first] + 1
    torch.save(weights, job.entry.weights)
    _, out = run(2, '--print-commands')
    assert f'# {job.label} (rerun: weights changed (record {new.pretrained_sha256[:8]}.., now ' in out
    assert f'move {job.work_dir} aside first' in out
    Path(job.entry.weights).unlink()  # weights gone: the record cannot be checked, and stays; the job fails
    _, out = run(2, status=1)
    assert f'1/1 run  {job.label} (its initial weights {job.entry.weights} do not exist' in out
    assert f'1/1 FAILED {job.label}' in out and load_record(job.work_dir / RECORD_FILE) == new


@pytest.mark.slow
def test_a_benchmark_job_under_torchrun_with_two_gloo_processes(tiny_data, tmp_path, capsys, monkeypatch):
    """--launcher pytorch: the job trains and tests under torchrun (python -m downstream train|test), two CPU processes
    each (gloo); the record keeps the training's world size."""
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    config = write_benchmark(tmp_path / 'b.py', f"""
entries = [dict(arch='311021', name='two-procs', space='{SPACE}', weights='scratch')]
tasks = [{SEG_TASK}]""")
    status = apis.benchmark_main([str(config), '--work-dir', str(tmp_path / 'w'), '--launcher', 'pytorch',
                                  '--gpus', '2'])
    out = capsys.readouterr().out
    job_dir = tmp_path / 'w' / 'deeplabv3_ade-tiny' / 'two-procs' / 'seed0'
    assert status == 0, out + (job_dir / 'benchmark.log').read_text()[-3000:]
    assert '[benchmark] 1/1 done deeplabv3_ade-tiny/two-procs/seed0' in out
    record = load_record(job_dir / RECORD_FILE)
    assert record.gpus == 2 and record.batch_per_gpu == 2 and record.schedule == {'iters': SEG_ITERS}
    log = (job_dir / 'benchmark.log').read_text()
    assert '--nproc_per_node=2 -m downstream train ' in log and '--nproc_per_node=2 -m downstream test ' in log
    # the key is read as the command line reads the options ('311021' becomes a number there), so it is the record's
    # and one experiment whichever launcher ran it: in this process the same job has the same record
    for launcher in ('pytorch', 'none'):
        assert apis.benchmark_main([str(config), '--work-dir', str(tmp_path / 'w'), '--launcher', launcher]) == 0
        assert '1/1 skip deeplabv3_ade-tiny/two-procs/seed0: has a record' in capsys.readouterr().out


def test_shards_split_the_jobs_between_processes(search, tmp_path, capsys):
    """`--shard K/N`: N workers (processes on a CPU host, nodes of a cluster) share one benchmark, every job once."""
    config = write_benchmark(tmp_path / 'b.py', f"entries = [dict(top=3, search='{search}')]\ntasks = [{SEG_TASK}]\n"
                                                 'seeds = [0, 1]')
    labels = []
    for shard in ('0/2', '1/2'):
        assert apis.benchmark_main([str(config), '--work-dir', str(tmp_path / 'w'), '--print-commands',
                                    '--shard', shard]) == 0
        out = capsys.readouterr().out
        assert f'3 jobs (shard {shard} of 6)' in out
        labels += [line[2:] for line in out.splitlines() if line.startswith('# ')]
    bench = benchmark.load_benchmark(config, work_dir=str(tmp_path / 'w'))
    assert sorted(labels) == sorted(job.label for job in bench.jobs)
    for bad in ('2/2', '1', 'a/b'):
        with pytest.raises(SystemExit) as exit_info:
            apis.benchmark_main([str(config), '--shard', bad])
        assert exit_info.value.code == 2
        assert '--shard' in capsys.readouterr().err


def test_a_searchs_own_space_is_left_to_the_task_config(tmp_path):
    """A preset space (pinas_resnest_tiny) is set on the backbone; a search's own space (the embedded Track-1
    searches' `track1_resnet20_embedded`, a dict in their configs) is already the task config's, and naming it on
    the command line would replace that dict by a string."""
    task = benchmark.Task('seg', 'configs/transfer_study/deeplabv3_pinas-track1-d8_ade-small-96x96.py')
    own = benchmark.Job(benchmark.Entry('w', '4-' * 19 + '4', 'track1_resnet20_embedded'), task, 0, tmp_path)
    assert 'model.backbone.space' not in own.cfg_options()
    preset = benchmark.Job(benchmark.Entry('r', '000000', SPACE), task, 0, tmp_path)
    assert preset.cfg_options()['model.backbone.space'] == SPACE


@pytest.mark.slow  # trains 4 stand-alone networks, then fine-tunes
def test_standalone_entries_fine_tune_each_seed_from_its_own_pretraining_run(tiny_data, tmp_path, capsys):
    """A transfer ground truth: architectures pretrained stand-alone (tools/make_ground_truth.py
    --keep-checkpoints), each fine-tuned with seed s from the weights its pretraining seed s kept; the record says
    ``pretrain: standalone`` and names those weights and their sha256. A crossed entry (``pretrain_seed``) starts
    every seed from one pretraining seed's weights."""
    from pinas.datasets import SyntheticSpec
    from pinas.models import build_standalone
    from pinas.studies.ground_truth import SyntheticData, TrainSettings, run_ground_truth
    from pinas.spaces import build_space
    recipe = ROOT / 'configs/ranking/ground_truth.py'  # the shipped stand-alone recipe, shortened
    space = build_space('track1_resnet20')
    archs = [space.min_arch(), space.parse('8-' * 7 + '16-' * 6 + '32-' * 6 + '32')]
    spec = SyntheticSpec(train_per_class=2, val_per_class=1)
    runs = tmp_path / 'gt.runs.json'
    table = run_ground_truth(space, lambda a: build_standalone(space, a, spec.num_classes), archs, [0, 1], runs,
                             SyntheticData(tmp_path / 'data', spec),
                             TrainSettings.from_config(recipe, epochs=1, batch_size=16),
                             lambda _: None, checkpoint_dir=tmp_path / 'kept')
    wanted = tmp_path / 'archs.txt'
    wanted.write_text(space.format(archs[1]) + '\n')
    seg = tmp_path / 'seg.py'  # as configs/transfer_gt/ do to the study's config: the table's space and layout
    seg.write_text(f"_base_ = ['{ROOT}/configs/smoke/track1/deeplabv3_pinas-track1-d8_ade-tiny-64x64.py']\n"
                   "model = dict(backbone=dict(space='track1_resnet20', shortcut='official'))\n")
    task = f"dict(config='{seg}', name='seg', cfg_options={{'train_cfg.max_iters': {SEG_ITERS}}})"
    config = write_benchmark(tmp_path / 'b.py', f"""
entries = [dict(standalone='{runs}', archs='{wanted}', name='sa')]
tasks = [{task}]
seeds = [1, 2]""")
    bench = benchmark.load_benchmark(config, work_dir=str(tmp_path / 'w'))
    code = space.format(archs[1])
    assert [(j.entry.name, j.seed) for j in bench.jobs] == [(f'sa-{code}', 1)]  # seed 2 was never pretrained
    kept = table['checkpoints'][code]['1']
    weights = tmp_path / 'kept' / code / 'seed1.pth'  # the runs file names it relative to itself
    assert kept['file'] == str(weights.relative_to(tmp_path))
    assert bench.jobs[0].cfg_options()['model.backbone.init_cfg.checkpoint'] == str(weights)
    assert apis.benchmark_main([str(config), '--work-dir', str(tmp_path / 'w')]) == 0
    record_file = bench.jobs[0].work_dir / RECORD_FILE
    record = load_record(record_file)
    assert (record.pretrain, record.arch, record.seed) == ('standalone', code, 1)
    assert (record.pretrained_checkpoint, record.pretrained_sha256) == (os.path.relpath(weights, record_file.parent),
                                                                         kept['sha256'])
    assert record.pretrained_dataset_fingerprint == table['meta']['dataset_fingerprint']  # what it pretrained on
    capsys.readouterr()
    assert apis.benchmark_main([str(config), '--work-dir', str(tmp_path / 'w')]) == 0  # its key is its record's
    assert f'1/1 skip {bench.jobs[0].label}: has a record' in capsys.readouterr().out

    # Crossed: every fine-tuning seed from pretraining seed 1's weights, so that the seeds differ in fine-tuning alone
    crossed = write_benchmark(tmp_path / 'c.py', f"""
entries = [dict(standalone='{runs}', archs='{wanted}', name='x', pretrain_seed=1)]
tasks = [{task}]
seeds = [1, 2]""")
    jobs = benchmark.load_benchmark(crossed).jobs
    assert [(j.entry.name, j.seed, j.cfg_options()['model.backbone.init_cfg.checkpoint']) for j in jobs] == \
        [(f'x-{code}', 1, str(weights)), (f'x-{code}', 2, str(weights))]
    with pytest.raises(benchmark.BenchmarkError, match='pretrain_seed=2: 1 of 1 architectures have no weights of '
                                                       'pretraining seed 2'):
        (tmp_path / 'c2.py').write_text(crossed.read_text().replace('pretrain_seed=1', 'pretrain_seed=2'))
        benchmark.load_benchmark(tmp_path / 'c2.py')

    wanted.write_text('4-' * 19 + '8\n')
    with pytest.raises(benchmark.BenchmarkError, match='1 of 1 architectures have no kept pretraining weights'):
        benchmark.load_benchmark(config)


def test_a_copied_search_dir_uses_its_own_exported_weights(search, tmp_path):
    """Arch files name their weight files relative to themselves, so a copy of a search dir is self-contained."""
    import shutil
    copy = tmp_path / 'copy'
    shutil.copytree(search, copy)
    config = write_benchmark(tmp_path / 'b.py', f"entries = [dict(export=True, search='{copy}')]\ntasks = [{SEG_TASK}]")
    (entry,) = {job.entry.name: job.entry for job in benchmark.load_benchmark(config).jobs}.values()
    assert entry.weights.startswith(str(copy)) and entry.weights.endswith('_mmengine_backbone.pth')
    assert entry.arch.startswith(str(copy))


def _small_search(work_dir, data_root):
    """configs/search/spos_embedded.py shrunk to seconds: one epoch on a few images, two architectures scored, the
    best exported."""
    options = {'train_dataloader.dataset.synthetic.train_per_class': 4,
               'train_dataloader.dataset.synthetic.val_per_class': 2, 'train_dataloader.dataset.root': data_root,
               'train_dataloader.batch_size': 16, 'train_dataloader.num_workers': 0,
               'train_dataloader.persistent_workers': False, 'train_cfg.max_epochs': 1,
               'search.strategy': dict(_delete_=True, type='random', max_evals=2), 'search.top_n': 1,
               'search.data.batch_size': 16, 'search.scorer.recalib_batches': 1,
               **{f'search.data.{split}.root': data_root for split in ('recalib', 'val')}}
    return load_config(ROOT / 'configs/search/spos_embedded.py', cfg_options=options, work_dir=str(work_dir))


def _stored_text(folder):
    """What the suite stored under ``folder`` as text: JSON files and checkpoint records, without mmengine's logs
    and config dumps (which echo the run's settings, work_dir included)."""
    return {p: p.read_text() for p in folder.rglob('*') if p.suffix == '.json' or p.name == 'last_checkpoint'}


@pytest.mark.slow
def test_a_copied_work_dir_is_self_contained(tiny_data, tmp_path):
    """Search, export and a benchmark job in one dir; copied and the original deleted, the copy names only its own
    files (every stored path is relative to the file that stores it), resumes the search and the job from them,
    and its record names the copy's supernet."""
    import shutil

    from pinas.apis import train_and_search
    from pinas.search.work_dir import SearchWorkDir
    from pinas.utils.paths import resolve_stored
    original, copy = tmp_path / 'original', tmp_path / 'copy'
    data = str(tmp_path / 'data')  # outside the work dir: configs name their data, and it is not copied
    train_and_search(_small_search(original / 'supernet', data))
    config = write_benchmark(tmp_path / 'b.py', f"entries = [dict(export=True)]\ntasks = [{SEG_TASK}]")
    assert apis.benchmark_main([str(config), '--work-dir', str(original / 'bench'),
                                '--cfg-options', f'search_dir={original / "supernet"}']) == 0
    shutil.copytree(original, copy)
    shutil.rmtree(original)

    stored = _stored_text(copy)
    assert {'state.json', 'ranked.json', 'record.json', 'test_metrics.json', 'last_checkpoint'} <= \
        {p.name for p in stored}
    assert [p for p, text in stored.items() if str(original) in text] == []
    work = SearchWorkDir(copy / 'supernet')
    assert work.latest_checkpoint() == copy / 'supernet' / 'epoch_1.pth'
    (arch_file, exported), = work.exports().items()
    assert resolve_stored(exported['source_checkpoint'], arch_file) == copy / 'supernet' / 'epoch_1.pth'
    before = {p: p.stat().st_mtime_ns for p in (work.state, copy / 'supernet' / 'epoch_1.pth')}
    _, again = train_and_search(_small_search(copy / 'supernet', data))  # nothing trained or scored again
    assert len(again['result'].history) == 2 and before == {p: p.stat().st_mtime_ns for p in before}

    (job,) = benchmark.load_benchmark(config, work_dir=str(copy / 'bench'),
                                      cfg_options={'search_dir': str(copy / 'supernet')}).jobs
    record_file = job.work_dir / RECORD_FILE
    (job.work_dir / apis.transfer_runner.METRICS_FILE).unlink()  # the job runs again: resumes (done) and tests
    assert apis.benchmark_main([str(config), '--work-dir', str(copy / 'bench'),
                                '--cfg-options', f'search_dir={copy / "supernet"}']) == 0
    record = load_record(record_file)
    assert record.provenance.supernet_sha256 == records.sha256_file(copy / 'supernet' / 'epoch_1.pth')
    for name in (record.checkpoint, record.pretrained_checkpoint, record.provenance.ranked_file):
        assert not os.path.isabs(name) and resolve_stored(name, record_file).is_file()
    assert resolve_stored(record.pretrained_checkpoint, record_file).parent == work.export_dir



@pytest.mark.parametrize('config', ['deeplabv3_track1-standalone-d8_ade-small-96x96.py',
                                    'faster-rcnn_track1-standalone_fpn_coco-small.py'])
def test_transfer_ground_truth_configs_build_the_standalone_layout(config):
    """configs/transfer_gt/: the study's task with the classification ground truth's space and the challenge's
    shortcut layout, so a stand-alone pretraining checkpoint loads strictly."""
    from mmengine.config import Config
    from mmengine.registry import MODELS

    import downstream  # noqa: F401  (registers the backbones)
    from pinas.models import build_standalone
    from pinas.spaces import build_space
    cfg = Config.fromfile(str(ROOT / 'configs/transfer_gt' / config))
    assert (cfg.model.backbone.space, cfg.model.backbone.shortcut) == ('track1_resnet20', 'official')
    space = build_space('track1_resnet20')
    arch = space.parse('8-' * 7 + '16-' * 6 + '32-' * 6 + '32')
    backbone_cfg = dict(cfg.model.backbone, arch=space.format(arch), init_cfg=None, norm_cfg=dict(type='BN'))
    backbone = MODELS.build(backbone_cfg)
    own = {k for k in backbone.state_dict() if not k.endswith('num_batches_tracked')}
    pretrained = {k for k in build_standalone(space, arch, 20).state_dict()
                  if not k.startswith('head.') and not k.endswith('num_batches_tracked')}
    assert own == pretrained
