"""Studies that train or score networks to measure how well methods rank architectures: the stand-alone ground
truth (:mod:`.ground_truth`), the zero-cost baselines (:mod:`.zero_cost`), the ranking study of supernet methods at
equal compute (:mod:`.study`, run end to end by :func:`.methods.run_study`).

The layer above :mod:`pinas.apis` (a study trains supernets through it); the metrics and tables it reports with are
:mod:`pinas.ranking`, which search and the leaderboard read."""
from .zero_cost import Minibatch, fixed_minibatch, list_proxies, score_architectures

__all__ = ['Minibatch', 'fixed_minibatch', 'list_proxies', 'score_architectures']
