"""Invariants of one Pi-NAS training step (github.com/Ernie1/Pi-NAS, OpenSelfSup/openselfsup/models/pinas.py)."""
import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper

from pinas.algorithms import PiNAS
from pinas.engine import SupernetOptimWrapper  # noqa: F401  (registers the wrapper)

BATCH, QUEUE = 4, 16


RESNEST = dict(space='pinas_resnest_tiny')
# The channel-width space: paths end in 4 to 64 channels, so the neck sees inputs of several widths.
TRACK1 = dict(type='Track1Supernet', space=dict(base='track1_resnet20', num_classes=10), width_remap={},
              post_add_act='relu')


def _model(backbone=RESNEST, **kwargs):
    kwargs = dict(dict(momentum=0.9), **kwargs)
    model = PiNAS(backbone=backbone, neck=dict(hidden_channels=32, out_channels=16), queue_len=QUEUE, **kwargs)
    model.init_weights()
    return model


def _views():
    return torch.randn(BATCH, 4, 3, 32, 32)


def _path_param_ids(supernet, paths):
    return {id(p) for path in paths for m in supernet.path_modules(path) for p in m.parameters()}


def test_teacher_starts_as_a_copy_of_the_student():
    model = _model()
    for t, s in zip(model.teacher['supernet'].parameters(), model.supernet.parameters()):
        assert torch.equal(t, s) and not t.requires_grad


def test_paths_differ_at_every_position():
    model = _model()
    for _ in range(20):
        a, b = model.sampler.disjoint(2)
        assert all(x != y for x, y in zip(a, b))


def test_same_neck_width_pairs_paths_that_end_in_one_width_and_differ_everywhere_else():
    model = _model(TRACK1, same_neck_width=True)
    space, (last,) = model.bare_supernet.space, model.shared_positions
    assert last == space.num_used_positions - 1
    ends = set()
    for _ in range(20):
        model.loss(_views())
        a, b = model.last_paths
        assert a[last] == b[last] and all(x != y for i, (x, y) in enumerate(zip(a, b)) if i != last)
        ends.add(a[last])
    assert len(ends) > 1  # the shared width is still drawn uniformly


def test_same_neck_width_is_refused_where_every_path_ends_in_one_width():
    with pytest.raises(ValueError, match='same_neck_width needs'):
        _model(RESNEST, same_neck_width=True)


@pytest.mark.slow
@pytest.mark.parametrize('backbone', [RESNEST, TRACK1], ids=['resnest', 'track1'])
def test_only_the_sampled_paths_teacher_parameters_change(backbone):
    model = _model(backbone)
    with torch.no_grad():  # make student and teacher differ so the EMA moves something
        for p in model.supernet.parameters():
            p.add_(0.1)
        for p in model.neck.parameters():
            p.add_(0.1)
    teacher = model.teacher['supernet']
    before = {n: p.clone() for n, p in teacher.named_parameters()}
    model.loss(_views())
    used = _path_param_ids(teacher, model.last_paths)
    for name, param in teacher.named_parameters():
        changed = not torch.equal(param, before[name])
        assert changed == (id(param) in used), name
    # BN running statistics are not EMA'd: they come from the teacher's own forward passes only.


@pytest.mark.slow
def test_teacher_update_all_moves_every_block():
    model = _model(teacher_update='all')
    with torch.no_grad():
        for p in model.supernet.parameters():
            p.add_(0.1)
    before = [p.clone() for p in model.teacher['supernet'].parameters()]
    model.loss(_views())
    assert all(not torch.equal(b, p) for b, p in zip(before, model.teacher['supernet'].parameters()))


def test_unsampled_student_parameters_take_no_step_even_with_weight_decay():
    model = _model()
    wrapper = build_optim_wrapper(model, dict(type='SupernetOptimWrapper',
                                              optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.1)))
    for _ in range(2):  # two steps: the second would show momentum and decay on stale buffers
        before = {n: p.clone() for n, p in model.supernet.named_parameters()}
        model.train_step(dict(inputs=_views(), data_samples=torch.zeros(BATCH, dtype=torch.long)), wrapper)
        used = _path_param_ids(model.supernet, model.last_paths)
        for name, param in model.supernet.named_parameters():
            if id(param) not in used:
                assert torch.equal(param, before[name]), f'{name} moved although its candidate was not sampled'
        moved = [n for n, p in model.supernet.named_parameters() if not torch.equal(p, before[n])]
        assert moved, 'the sampled paths were not trained'


@pytest.mark.slow
def test_cross_path_pairing_and_queue_update():
    model = _model(momentum=1.0)  # teacher frozen, so keys can be recomputed after the step
    queue_before = model.queue.clone()
    views = _views()
    loss = model.loss(views)['loss']
    path_a, path_b = model.last_paths
    teacher = copy.deepcopy(model.teacher)
    with torch.no_grad():
        q_a, q_b = model._query(views[:, 0], path_a), model._query(views[:, 2], path_b)
        k_a = torch.nn.functional.normalize(teacher['neck'](teacher['supernet'].forward_features(views[:, 1], path_a)))
        k_b = torch.nn.functional.normalize(teacher['neck'](teacher['supernet'].forward_features(views[:, 3], path_b)))
        saved_queue = model.queue.clone()
        model.queue.copy_(queue_before)
        expected = model.info_nce(q_a, k_b) + model.info_nce(q_b, k_a)  # query A <-> key B and the reverse
        same_path = model.info_nce(q_a, k_a) + model.info_nce(q_b, k_b)
        model.queue.copy_(saved_queue)
    torch.testing.assert_close(loss, expected)
    assert not torch.allclose(loss, same_path)
    # The queue receives the (unnormalised) mean of the two keys at the pointer, which advances by the batch.
    torch.testing.assert_close(model.queue[:, :BATCH], ((k_a + k_b) / 2).t())
    torch.testing.assert_close(model.queue[:, BATCH:], queue_before[:, BATCH:])
    assert int(model.queue_ptr) == BATCH


def test_queue_wraps_around():
    model = _model()
    for _ in range(QUEUE // BATCH):
        model.loss(_views())
    assert int(model.queue_ptr) == 0


@pytest.mark.parametrize('kwargs', [dict(cross_path=False), dict(num_paths=1), dict(use_queue=False)])
def test_ablation_switches_train(kwargs):
    model = _model(**kwargs)
    out = model.loss(_views())
    assert torch.isfinite(out['loss'])
    assert len(model.last_paths) == kwargs.get('num_paths', 2)


def test_wrong_number_of_views_is_explained():
    with pytest.raises(ValueError, match='needs 4 views'):
        _model().loss(torch.randn(BATCH, 2, 3, 32, 32))
    with pytest.raises(ValueError, match='multiple of the global batch'):
        PiNAS(backbone=dict(space='pinas_resnest_tiny'), neck=dict(hidden_channels=8, out_channels=8),
              queue_len=10).loss(_views())


def test_pinas_trains_over_a_channel_width_space():
    """Pi-NAS over the Track-1 supernet: one optimizer step moves the sampled paths' units and nothing else."""
    model = _model(TRACK1)
    assert model.supernet.num_classes == 0 and model.supernet.head is None  # headless: no unused classifier
    optim = build_optim_wrapper(model, dict(type='SupernetOptimWrapper',
                                            optimizer=dict(type='SGD', lr=0.1, weight_decay=0.1)))
    before = {n: p.clone() for n, p in model.supernet.named_parameters()}
    losses = model.train_step(dict(inputs=_views()), optim)
    assert torch.isfinite(losses['loss'])
    used = _path_param_ids(model.supernet, model.last_paths)
    for name, param in model.supernet.named_parameters():
        assert (not torch.equal(param, before[name])) == (id(param) in used), name
    narrow = model.supernet.space.min_arch()
    assert model.extract(_views()[:, 0], narrow).shape == (BATCH, 4)  # the narrowest path ends in 4 channels


def test_step_logs_negative_similarity_so_that_a_collapsed_embedding_shows():
    """``neg_sim`` is the queries' mean cosine to the negatives the loss used (the queue before this step's keys
    are enqueued); a collapsed embedding, where every key points the same way, has neg_sim == pos_sim == 1."""
    model = _model(momentum=1.0)  # teacher frozen, student unchanged by loss(): the queries can be recomputed
    queue_before = torch.nn.functional.normalize(model.queue.clone(), dim=0)
    views = _views()
    out = model.loss(views)
    path_a, path_b = model.last_paths
    with torch.no_grad():
        q_a, q_b = model._query(views[:, 0], path_a), model._query(views[:, 2], path_b)
        q = torch.nn.functional.normalize(torch.ones(BATCH, 16), dim=1)
        model.queue.copy_(q[:1].t().expand(-1, QUEUE))
        collapsed = model.similarity_stats([q, q], [q, q])
        model.queue.copy_(-q[:1].t().expand(-1, QUEUE))
        opposite = model.similarity_stats([q, q], [q, q])
    assert set(out) == {'loss', 'pos_sim', 'neg_sim', 'key_rank'} and -1 <= float(out['neg_sim']) <= 1
    assert 1 <= float(out['key_rank']) <= 2 * BATCH
    torch.testing.assert_close(out['neg_sim'], ((q_a @ queue_before).mean() + (q_b @ queue_before).mean()) / 2)
    torch.testing.assert_close(collapsed['pos_sim'], torch.tensor(1.0))
    torch.testing.assert_close(collapsed['neg_sim'], torch.tensor(1.0))
    torch.testing.assert_close(opposite['neg_sim'], torch.tensor(-1.0))
    assert float(collapsed['key_rank']) <= 1.0  # identical keys: no spread at all (centred, they vanish)


def test_effective_rank_counts_the_directions_keys_spread_over():
    from pinas.algorithms.pinas import effective_rank
    spread = torch.cat([torch.eye(8), -torch.eye(8)])  # 16 keys, evenly over 8 directions
    torch.testing.assert_close(effective_rank(spread), torch.tensor(8.0))
    line = torch.randn(16, 1) * torch.ones(1, 8)  # 16 keys along one direction
    torch.testing.assert_close(effective_rank(line), torch.tensor(1.0), atol=1e-3, rtol=0)


def test_in_batch_negatives_exclude_each_querys_own_key():
    model = _model(use_queue=False)
    q = torch.eye(BATCH, 16)  # orthogonal queries, each its own positive: the others are at cosine 0
    stats = model.similarity_stats([q], [q])
    torch.testing.assert_close(stats['pos_sim'], torch.tensor(1.0))
    torch.testing.assert_close(stats['neg_sim'], torch.tensor(0.0))


def test_a_normalised_neck_centres_the_embeddings_over_the_batch():
    """neck.norm=True (MoCo v3 style BN after both Linears) keeps the batch's embeddings from sharing a direction,
    the collapse the plain MoCo v2 neck allows; its teacher copy follows by EMA like the rest."""
    model = PiNAS(backbone=TRACK1, neck=dict(hidden_channels=32, out_channels=16, norm=True), queue_len=QUEUE)
    model.init_weights()
    path = model.sampler.uniform(1)[0]
    features = model.supernet.forward_features(torch.randn(8, 3, 32, 32), path)
    embeddings = model.neck(features)
    assert embeddings.mean(0).abs().max() < 1e-5 and isinstance(model.neck.mlp[-1], torch.nn.BatchNorm1d)
    assert [type(m).__name__ for m in _model().neck.mlp] == ['Linear', 'ReLU', 'Linear']  # the official neck
    out = model.loss(_views())
    assert torch.isfinite(out['loss']) and len(list(model.teacher['neck'].parameters())) == \
        len(list(model.neck.parameters()))
