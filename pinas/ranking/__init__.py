"""How well supernet scores rank architectures: correlation metrics, table readers, plots, reports, and the
zero-cost baselines every method is compared with."""
from .metrics import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_TOPK, MetricResult, RankingInputError,
                      bootstrap_ci, kendall_tau_b, pearson, ranking_metrics, resolve_k, spearman, topk_precision)
from .report import RankingReport, evaluate_tables, format_metrics, save_report
from .tables import JoinedTables, Table, TableError, join_tables, read_table
from .zero_cost import Minibatch, fixed_minibatch, list_proxies, score_architectures

__all__ = ['MetricResult', 'RankingInputError', 'kendall_tau_b', 'spearman', 'pearson', 'topk_precision',
           'resolve_k', 'bootstrap_ci', 'ranking_metrics', 'DEFAULT_BOOTSTRAP', 'DEFAULT_CONFIDENCE',
           'DEFAULT_TOPK', 'Table', 'JoinedTables', 'TableError', 'read_table', 'join_tables',
           'RankingReport', 'evaluate_tables', 'format_metrics', 'save_report',
           'Minibatch', 'fixed_minibatch', 'list_proxies', 'score_architectures']
