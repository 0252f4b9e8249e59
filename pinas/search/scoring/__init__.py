"""Candidate scoring: precise-BN recalibration of one path, then a registered proxy score."""
from .base import (RECALIBRATION_PROTOCOLS, ProxyScore, Scorer, ShardedBatchSampler, build_proxy, model_device,
                   path_batchnorms, pooled, recalibrate_bn)
from .classification import LinearProbe, NegLoss, Top1, train_linear_head
from .features import KNN, Contrastive

__all__ = ['RECALIBRATION_PROTOCOLS', 'ShardedBatchSampler', 'model_device', 'ProxyScore', 'Scorer', 'build_proxy',
           'path_batchnorms', 'pooled', 'recalibrate_bn', 'Top1', 'NegLoss', 'LinearProbe', 'train_linear_head', 'KNN',
           'Contrastive']
