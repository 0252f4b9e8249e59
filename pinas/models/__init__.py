"""Networks of the search spaces: the supernet, stand-alone timm models and weight inheritance."""
from .inherit import (CheckpointMismatchError, inherit_weights, is_supernet_state_dict, load_checked,
                      strip_prefix, subnet_state_dict, unwrap_state_dict)
from .resnest import PINAS_CLS, PINAS_TRANS, StandaloneResNeSt, create_pinas_resnest
from .standalone import build_standalone
from .supernet import SuperResNeSt
from .track1_resnet import Track1ResNet, official_init_
from .track1_supernet import DEFAULT_WIDTH_REMAP, Track1Supernet, pad_channels, supernet_layout

__all__ = ['build_standalone', 'Track1ResNet', 'Track1Supernet', 'official_init_', 'supernet_layout',
           'DEFAULT_WIDTH_REMAP', 'pad_channels', 'SuperResNeSt', 'StandaloneResNeSt', 'create_pinas_resnest', 'PINAS_CLS', 'PINAS_TRANS',
           'subnet_state_dict', 'inherit_weights', 'load_checked', 'strip_prefix', 'unwrap_state_dict',
           'is_supernet_state_dict', 'CheckpointMismatchError']
