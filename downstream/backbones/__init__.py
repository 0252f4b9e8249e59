from .pinas_resnest import PiNASResNeSt, output_stride_of

__all__ = ['PiNASResNeSt', 'output_stride_of']
