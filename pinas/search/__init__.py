"""Architecture search over a weight-sharing space: strategies, resource constraints, the resumable searcher and
its outputs. Strategies receive scoring as a plain ``arch -> float`` callable."""
from .base import Evaluation, SearchError, SearchStrategy, ranked
from .builder import build_strategy
from .constraints import LatencySettings, ResourceConstraint, build_constraint
from .evolution import EvolutionSearch
from .lanas import ClassifierSettings, LearnedPartitionSearch
from .outputs import search_rows, write_search_outputs, write_search_table, write_best_archs
from .random_search import RandomSearch
from .table_search import TableSearch
from .searcher import Searcher, SearchResult
from .work_dir import SearchWorkDir, export_paths

__all__ = ['Evaluation', 'SearchError', 'SearchStrategy', 'ranked',
           'build_strategy', 'ResourceConstraint', 'LatencySettings', 'build_constraint', 'EvolutionSearch',
           'LearnedPartitionSearch', 'ClassifierSettings', 'RandomSearch', 'TableSearch', 'Searcher', 'SearchResult',
           'search_rows', 'write_search_table', 'write_best_archs', 'write_search_outputs', 'SearchWorkDir',
           'export_paths']
