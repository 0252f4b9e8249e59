import copy
import functools
import math
import random
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

from pinas.algorithms import SPOS
from pinas.algorithms.cept import CEPT
from pinas.models import Track1Supernet
from pinas.models.inherit import CheckpointMismatchError
from pinas.registry import MODELS
from pinas.spaces import build_space

ROOT = Path(__file__).resolve().parents[3]
# One block per stage keeps every step's logic (branch counts 4/8/16, remap, recover) at a third of the compute.
SMALL = dict(base='track1_resnet20', depths=(1, 1, 1))
SPACE = build_space(SMALL)
# The winner's steps (arXiv 2108.05866): their settings live in these configs only.
STEP_CONFIGS = {1: 'cept_step1_resnet20_1xb128-300e_cifar100', 2: 'cept_step2_resnet20_1xb128-300e_cifar100',
                3: 'cept_step3_resnet20_1xb128-300e_cifar100', 4: 'cept_step4_resnet20_1xb128-100e_cifar100'}


def load_model_cfg(name: str) -> dict:
    return Config.fromfile(str(ROOT / 'configs/search' / f'{name}.py')).model.to_dict()


def build_model(cfg: dict):
    """``cfg`` built as the configs are, in the ``pinas`` scope (another test's Runner may have left another)."""
    with DefaultScope.overwrite_default_scope('pinas'):
        return MODELS.build(cfg)


@functools.lru_cache(maxsize=None)
def _step_model_cfg(step: int) -> dict:
    cfg = load_model_cfg(STEP_CONFIGS[step])
    cfg.pop('init_from', None)
    return cfg


def step_model_cfg(step: int) -> dict:
    """``model`` of the step's config (the winner's settings), without its previous-step checkpoint."""
    return copy.deepcopy(_step_model_cfg(step))


def batch(n: int = 4, size: int = 32, seed: int = 0) -> dict:
    gen = torch.Generator().manual_seed(seed)
    return dict(inputs=torch.randn(n, 3, size, size, generator=gen),
                data_samples=torch.randint(0, 100, (n,), generator=gen))


def sgd(model) -> OptimWrapper:
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4))


def snapshot(model) -> dict:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def changed(model, before: dict) -> set:
    return {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}


def build(step: int, space=SMALL, **kwargs) -> CEPT:
    """CEPT ``step`` with its config's settings over ``space``; ``kwargs`` override them."""
    cfg = step_model_cfg(step)
    cfg.pop('type')
    cfg['backbone']['space'] = space
    return CEPT(**{**cfg, 'seed': 0, **kwargs})


def test_registered_and_configured_from_the_step_configs():
    model = build_model(step_model_cfg(2))
    assert isinstance(model, CEPT) and model.supernet.post_add_act == 'prelu'
    assert model.supernet.width_remap == {4: 5, 8: 9} and not model.supernet.has_branches
    assert (model.num_paths, model.distill_coeff, model.temperature, model.look_num, model.max_recover) == \
        (8, 0.8, 1.0, 5, 5)
    step1, step3, step4 = build(1), build(3), build(4, fix_pretrain=False, distill_coeff=0.8)
    assert step1.supernet.post_add_act == 'relu' and not step1.supernet.has_branches
    assert step1.supernet.width_remap == {4: 5, 8: 9}  # every step runs a path with the same widths
    assert (step3.num_paths, step3.distill_coeff, step3.fix_pretrain) == (8, 1.0, True)
    assert step3.supernet.branch_counts == (4, 4, 4) and step4.supernet.branch_counts == (4, 8, 16)
    assert (step4.fix_pretrain, step4.distill_coeff) == (False, 0.8)
    assert step_model_cfg(4)['fix_pretrain'] is True and step_model_cfg(4)['distill_coeff'] == 1.0


@pytest.mark.parametrize('kwargs, message', [
    (dict(step=5), r'step must be one of \[1, 2, 3, 4\]'),
    (dict(step=3, look_num=5), r"does not use \['look_num'\]; they belong to steps \{'look_num': \[2\]\}"),
    (dict(step=1, distill_coeff=0.5), "does not use"),
    (dict(step=2, distill_coeff=1.5), r'distill_coeff must lie in \[0, 1\]'),
    (dict(step=3), r"step 3 trains a supernet with branches, got branch counts \(0, 0, 0\): set model.backbone "
                   r"mode='narrow'"),
    (dict(step=2, backbone=dict(space=SMALL, mode='narrow')), r"step 2 trains a supernet without branches"),
])
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CEPT(**{'backbone': dict(space=SMALL), **kwargs})


def test_a_cept_config_without_enhancement_settings_gets_the_plain_supernet():
    cfg = load_model_cfg('cept_embedded')
    cfg['backbone'] = dict(space=cfg['backbone']['space'])  # no type, width_remap, post_add_act or mode
    model = build_model(cfg)
    assert type(model.supernet) is Track1Supernet and model.supernet.width_remap == {}
    assert model.supernet.post_add_act == 'relu' and not model.supernet.has_branches
    assert all(isinstance(b.act2, torch.nn.ReLU) for b in model.supernet.blocks)


def test_step1_trains_the_max_path():
    model = build(1)
    optim, data, before = sgd(model), batch(), snapshot(model)
    first = model.train_step(data, optim)
    assert set(first) == {'loss_max', 'acc_max', 'passes'} and math.isfinite(first['loss_max'])
    assert changed(model, before) == set(before)  # the max path uses every weight of the shared supernet
    for _ in range(4):
        last = model.train_step(data, optim)
    assert last['loss_max'] < first['loss_max']


def test_step2_distils_sampled_paths_and_recovers():
    model = build(2)
    before = snapshot(model)
    log = model.train_step(batch(), sgd(model))
    assert set(log) == {'loss_max', 'acc_max', 'loss_paths', 'acc_paths', 'recovered', 'passes'}
    assert 0 <= log['recovered'] <= 5 and all(math.isfinite(v) for v in log.values())
    assert changed(model, before) == set(before)  # max path CE reaches every weight, PReLU slopes included


def test_max_recover_backpropagates_only_paths_whose_loss_rose():
    model = build(2, max_recover=2)
    data = batch()
    model.train()
    soft = torch.softmax(model.supernet(data['inputs'], model.space.max_arch()).detach(), 1)
    archs = [model.sample_arch() for _ in range(model.look_num)]
    optim, before = sgd(model), snapshot(model)
    assert model.max_recover_step(data['inputs'], soft, archs, [math.inf] * 5, optim) == (0, 5)  # none rose
    assert not changed(model, before)  # no loss rose: no second optimizer step
    assert model.max_recover_step(data['inputs'], soft, archs, [-math.inf] * 5, optim) == (2, 2)  # capped
    assert changed(model, before)


@pytest.mark.parametrize('step', [3, 4])
def test_branch_steps_keep_a_fixed_teacher(step):
    model = build(step)
    shared = model.supernet.shared_parameters()
    before = snapshot(model)
    log = model.train_step(batch(), sgd(model))
    assert set(log) == {'loss_max', 'acc_max', 'loss_paths', 'acc_paths', 'passes'}
    moved = changed(model, before)
    assert not moved & {f'supernet.{name}' for name in shared}  # fix_pretrain: teacher weights untouched
    assert any('.branches.' in name for name in moved)
    assert any(name.endswith('act2.weight') for name in moved)  # PReLU slopes are shared with the branches


def test_unfixed_teacher_is_trained():
    model = build(4, fix_pretrain=False)
    before = snapshot(model)
    model.train_step(batch(), sgd(model))
    assert 'supernet.stem.shared.conv.weight' in changed(model, before)


def test_val_and_test_steps_return_per_sample_outputs():
    model = build(3).eval()
    data = batch(n=3)
    arch = SPACE.sample(random.Random(5))
    model.set_arch(arch)
    outputs = model.val_step(data)
    assert len(outputs) == 3 and set(outputs[0]) == {'logits', 'pred_label', 'gt_label'}
    logits = model.supernet(data['inputs'], arch)
    assert torch.allclose(torch.stack([o['logits'] for o in outputs]), logits, atol=1e-6)
    assert [o['gt_label'] for o in outputs] == data['data_samples'].tolist()
    assert [o['pred_label'] for o in outputs] == logits.argmax(1).tolist()
    min_code = SPACE.format(SPACE.min_arch())
    other = model.test_step(dict(inputs=list(data['inputs']), data_samples=[1, 2, 3], arch=min_code))
    assert torch.allclose(other[0]['logits'], model.supernet(data['inputs'], SPACE.min_arch())[0], atol=1e-6)
    assert [o['gt_label'] for o in other] == [1, 2, 3]


def test_bad_batches_are_named():
    model = build(1)
    with pytest.raises(ValueError, match='needs labels'):
        model.train_step(dict(inputs=torch.randn(2, 3, 32, 32)), sgd(model))
    with pytest.raises(ValueError, match='must hold 2 integer class labels'):
        model.train_step(dict(inputs=torch.randn(2, 3, 32, 32), data_samples=torch.zeros(3).long()), sgd(model))


def test_loss_mode_is_for_evaluation_only():
    model, data = build(2), batch(n=2)
    with pytest.raises(RuntimeError, match='trains through train_step'):
        model(data['inputs'], data['data_samples'], mode='loss')  # what a plain DDP wrapper would call
    loss = model.eval()(data['inputs'], data['data_samples'], mode='loss')['loss']
    expected = torch.nn.functional.cross_entropy(model.supernet(data['inputs'], SPACE.max_arch()), data['data_samples'])
    assert torch.allclose(loss, expected)


def eval_outputs(model, archs, x):
    model.eval()
    return [model.supernet(x, a) for a in archs]


def test_previous_step_checkpoints_chain(tmp_path):
    archs = [SPACE.max_arch()] + [SPACE.sample(random.Random(i)) for i in range(4)]
    x = batch(n=2, size=16)['inputs']
    step1 = build(1)
    step1.train_step(batch(), sgd(step1))
    path = tmp_path / 'step1.pth'
    torch.save(dict(meta=dict(epoch=1), state_dict=step1.state_dict()), path)

    step2 = build(2, init_from=str(path))
    step2.init_weights()
    s1, s2 = step1.supernet.state_dict(), step2.supernet.state_dict()
    assert all(torch.equal(s1[k], v) for k, v in s2.items() if not k.endswith('act2.weight'))
    assert all(float(b.act2.weight) == 0.25 for b in step2.supernet.blocks)  # PReLU starts at its init
    step2.train_step(batch(seed=1), sgd(step2))

    step3 = build(3)
    step3.load_previous_step(dict(state_dict=step2.state_dict()))
    expected = eval_outputs(step2, archs, x)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(eval_outputs(step3, archs, x), expected))
    step3.train().train_step(batch(seed=2), sgd(step3))

    step4 = build(4)
    step4.load_previous_step(step3.state_dict())
    expected = eval_outputs(step3, archs, x)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(eval_outputs(step4, archs, x), expected))


def test_wrong_previous_checkpoints_are_refused(tmp_path):
    with pytest.raises(CheckpointMismatchError, match=r'stage 1: cannot turn 8 branches into 4'):
        build(3).load_previous_step(build(4).state_dict())
    with pytest.raises(CheckpointMismatchError, match=r'does not hold a CEPT supernet of space track1_resnet20 '
                                                      r'\(depths \(1, 1, 1\)(.|\n)*unexpected keys'):
        build(3).load_previous_step(build(2, space='track1_resnet20').state_dict())
    with pytest.raises(FileNotFoundError, match='previous-step checkpoint'):
        build(2).load_previous_step(tmp_path / 'nope.pth')
    with pytest.raises(ValueError, match='step 1 trains from scratch'):
        build(1).load_previous_step({})


class _Images(torch.utils.data.Dataset):
    """A few random CIFAR-sized images with labels, in the ``dict(inputs, data_samples)`` form CEPT reads."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        gen = torch.Generator().manual_seed(i)
        return dict(inputs=torch.randn(3, 32, 32, generator=gen), data_samples=i % 100)


def run_step(step: int, work_dir, **model_kwargs):
    from mmengine.runner import Runner
    from torch.utils.data import DataLoader, default_collate
    runner = Runner(
        model=build(step, **model_kwargs), work_dir=str(work_dir),
        train_dataloader=DataLoader(_Images(), batch_size=4, collate_fn=default_collate),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)),
        train_cfg=dict(by_epoch=False, max_iters=2),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False)),
        log_level='WARNING')
    runner.train()
    return runner


def test_steps_run_under_the_mmengine_runner(tmp_path):
    step2 = run_step(2, tmp_path / 'step2')
    assert 'train/recovered' in step2.message_hub.log_scalars
    checkpoint = tmp_path / 'step2' / 'iter_2.pth'
    step3 = run_step(3, tmp_path / 'step3', init_from=str(checkpoint))
    shared = {k: v for k, v in step3.model.supernet.state_dict().items() if '.shared.' in f'.{k}'}
    trained = step2.model.supernet.state_dict()
    weights = [k for k in shared if not k.endswith(('running_mean', 'running_var', 'num_batches_tracked'))]
    assert weights and all(torch.equal(shared[k], trained[k]) for k in weights)  # fixed teacher = step-2 weights


def test_spos_track1_config_is_spos_over_the_plain_supernet():
    cfg = load_model_cfg('spos_track1_embedded')
    assert cfg['type'] == 'SPOS'
    model = build_model(cfg)
    assert type(model) is SPOS and type(model.supernet) is Track1Supernet
    net = model.supernet
    assert net.width_remap == {} and net.post_add_act == 'relu' and not net.has_branches
    assert net.num_classes == net.space.num_classes == 20 and net.space.name == 'track1_resnet20_embedded'


def test_spos_trains_one_uniform_path_per_batch_with_cross_entropy():
    model = SPOS(backbone=dict(space=SMALL), num_classes=100, seed=0)
    twin = build(2)  # CEPT's paths come from the same sampler: the same draws for the same seed
    assert [model.sample_arch() for _ in range(3)] == [twin.sample_arch() for _ in range(3)]
    data, drawn = batch(), []
    draw = model.sampler.uniform

    def recorded(n=1):
        drawn.extend(draw(n))
        return drawn[-n:]
    model.sampler.uniform = recorded
    model.train()
    state = copy.deepcopy(model.supernet.state_dict())
    log = model.train_step(data, sgd(model))
    assert len(drawn) == 1 and set(log) == {'loss', 'acc'}
    model.supernet.load_state_dict(state)  # the loss is the CE of the drawn path before the update
    expected = torch.nn.functional.cross_entropy(model.supernet(data['inputs'], drawn[0]), data['data_samples'])
    assert math.isclose(log['loss'], expected.item(), rel_tol=1e-5)
    log = model.train_step(dict(inputs=data['inputs'], data_samples=data['data_samples'].tolist()), sgd(model))
    assert len(drawn) == 2 and math.isfinite(log['loss'])  # labels as a list of ints, as CEPT reads them


@pytest.mark.parametrize('step', [2, 3])
def test_paths_are_scored_after_recalibrating_only_their_own_bn(step):
    from pinas.search.scoring import Scorer, path_batchnorms, recalibrate_bn
    model = build(step).eval()
    arch, other = SPACE.sample(random.Random(0)), SPACE.sample(random.Random(1))
    data = [batch(8, seed=s) for s in range(3)]
    on_path = {id(bn) for bn in path_batchnorms(model.supernet, arch)}
    bns = {name: m for name, m in model.supernet.named_modules() if isinstance(m, torch.nn.BatchNorm2d)}
    before = {name: m.running_mean.clone() for name, m in bns.items()}
    recalibrate_bn(model.supernet, arch, data, num_batches=2)
    assert {name for name, m in bns.items() if not torch.equal(m.running_mean, before[name])} == \
        {name for name, m in bns.items() if id(m) in on_path}
    scorer = Scorer(model.supernet, 'top1', recalib=lambda: data, val=lambda: data, recalib_batches=2)
    first = scorer(arch)
    scorer(other)
    assert scorer(arch) == first
