"""Networks of the search spaces: the supernets, stand-alone timm models and weight inheritance."""
from .branches import BranchedConvBN, BranchedLinear, inherit_branches, stage_branch_counts, supernet_layout
from .inherit import (CheckpointMismatchError, inherit_weights, is_supernet_state_dict, load_checked,
                      read_supernet_state_dict, strip_prefix, subnet_state_dict, unwrap_state_dict)
from .nasbench_macro import NASBenchMacroNet
from .resnest import PINAS_CLS, PINAS_TRANS, StandaloneResNeSt, create_pinas_resnest
from .sliced import SlicedBatchNorm2d, SlicedConv2d, SlicedConvBN, SlicedLinear, pad_channels
from .standalone import build_standalone
from .supernet import SuperResNeSt
from .track1_resnet import Track1ResNet, official_init_
from .track1_supernet import ENHANCED_WIDTH_REMAP, Track1Supernet

__all__ = ['build_standalone', 'NASBenchMacroNet', 'Track1ResNet', 'Track1Supernet', 'official_init_', 'ENHANCED_WIDTH_REMAP',
           'SlicedConv2d', 'SlicedBatchNorm2d', 'SlicedLinear', 'SlicedConvBN', 'pad_channels',
           'BranchedConvBN', 'BranchedLinear', 'inherit_branches', 'stage_branch_counts', 'supernet_layout',
           'SuperResNeSt', 'StandaloneResNeSt', 'create_pinas_resnest', 'PINAS_CLS', 'PINAS_TRANS',
           'subnet_state_dict', 'inherit_weights', 'load_checked', 'strip_prefix', 'unwrap_state_dict',
           'read_supernet_state_dict', 'is_supernet_state_dict', 'CheckpointMismatchError']
