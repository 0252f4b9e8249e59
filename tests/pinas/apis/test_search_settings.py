"""Every setting a search's result depends on comes from the config: each search config sets them all, and a config
that leaves one out is refused before the supernet trains, naming the keys it lacks (code fills nothing in)."""
from pathlib import Path

import pytest
from mmengine.config import Config

from pinas.apis.search import check_scorer, missing_search_settings
from pinas.search.base import SearchError

ROOT = Path(__file__).resolve().parents[3]
# configs/search/ and the transfer study's configs/transfer_study/search/, not the files they inherit
SEARCH_CONFIGS = sorted(p for p in (ROOT / 'configs').glob('**/search/*.py') if '_base_' not in p.with_suffix('').parts)


@pytest.mark.parametrize('path', SEARCH_CONFIGS, ids=lambda p: str(p.relative_to(ROOT / 'configs')))
def test_every_search_config_sets_every_search_setting(path):
    search = Config.fromfile(str(path)).search
    assert missing_search_settings(search) == []
    check_scorer(search)


KNN = dict(scorer=dict(type='knn', recalib_batches=10, k=20), data=dict(batch_size=128), top_n=3, seed=0)
PROBE = dict(scorer=dict(type='linear_probe', recalib_batches=None,
                         head=dict(num_classes=20, epochs=10, lr=30.0, milestones=(6, 8))),
             data=dict(batch_size=128), top_n=3, seed=0)


@pytest.mark.parametrize('search, drop, named', [
    (KNN, ('scorer', 'recalib_batches'), 'search.scorer.recalib_batches'),
    (KNN, ('data', 'batch_size'), 'search.data.batch_size'),
    (KNN, ('top_n',), 'search.top_n'),
    (KNN, ('seed',), 'search.seed'),
    (PROBE, ('scorer', 'head', 'lr'), 'search.scorer.head.lr'),
    (PROBE, ('scorer', 'head', 'epochs'), 'search.scorer.head.epochs'),
    (PROBE, ('scorer', 'head', 'milestones'), 'search.scorer.head.milestones'),
])
def test_a_setting_left_out_is_refused_by_name(search, drop, named):
    check_scorer(search)  # complete: accepted
    left_out = Config(search).to_dict()
    section = left_out
    for key in drop[:-1]:
        section = section[key]
    del section[drop[-1]]
    with pytest.raises(SearchError, match=rf'does not set {named}; the search reads every setting from the config'):
        check_scorer(left_out)
