"""How well scores rank architectures: correlation metrics, score tables, paired comparisons, plots and reports.

The low layer that search and the leaderboard read: it trains nothing and imports nothing above ``pinas.spaces``
(the studies that train, ground truth and zero-cost baselines, are :mod:`pinas.studies`)."""
from .metrics import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_TOPK, MetricResult, RankingInputError,
                      bootstrap_ci, kendall_tau_b, pearson, ranking_metrics, resolve_k, spearman, topk_precision)
from .report import RankingReport, evaluate_tables, format_metrics, save_report
from .tables import JoinedTables, Table, TableError, join_tables, read_table

__all__ = ['MetricResult', 'RankingInputError', 'kendall_tau_b', 'spearman', 'pearson', 'topk_precision',
           'resolve_k', 'bootstrap_ci', 'ranking_metrics', 'DEFAULT_BOOTSTRAP', 'DEFAULT_CONFIDENCE',
           'DEFAULT_TOPK', 'Table', 'JoinedTables', 'TableError', 'read_table', 'join_tables',
           'RankingReport', 'evaluate_tables', 'format_metrics', 'save_report']
