from .pinas_resnest import PiNASResNeSt, output_stride_of
from .pinas_track1_resnet import PiNASTrack1ResNet

__all__ = ['PiNASResNeSt', 'PiNASTrack1ResNet', 'output_stride_of']
