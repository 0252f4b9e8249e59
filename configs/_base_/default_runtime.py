# Runtime settings every Pi-NAS transfer config adds to mmdet's or mmseg's own default_runtime.py
# (listed next to it in _base_; a key may not be set by two bases, so this file only adds keys).
custom_imports = dict(imports=['downstream'], allow_failed_imports=False)  # registers PiNASResNeSt
randomness = dict(seed=0)  # reported numbers name their seed; override with --cfg-options randomness.seed=N
