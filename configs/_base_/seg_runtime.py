# The runtime of every Pi-NAS segmentation transfer config: mmseg's default_runtime.py and ours.
_base_ = ['mmseg::_base_/default_runtime.py', './default_runtime.py']
