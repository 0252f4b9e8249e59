"""OpenMMLab integration of pinas backbones."""
