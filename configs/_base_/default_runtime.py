# Runtime settings every Pi-NAS transfer config adds to mmdet's or mmseg's own default_runtime.py
# (listed next to it in _base_; a key may not be set by two bases, so this file only adds keys).
# downstream registers PiNASResNeSt; pinas.engine the atomic checkpoint backend
custom_imports = dict(imports=['downstream', 'pinas.engine'], allow_failed_imports=False)
# Checkpoints are written to a temporary file and renamed into place (pinas/engine/atomic_backend.py), so a kill during
# a save never leaves a truncated iter_N.pth beside the good ones. default_hooks comes from mmdet's runtime or mmseg's
# schedules, so the config that holds both bases sets `default_hooks.checkpoint.backend_args` to this.
atomic_checkpoints = dict(backend='atomic_local')
randomness = dict(seed=0)  # reported numbers name their seed; override with --cfg-options randomness.seed=N
# Each step's random draws (augmentation, dropout, a detector's RoI sampling) from the seed and the step's place in
# the run, so that --resume continues exactly where the interrupted run was (pinas/engine/hooks.py).
custom_hooks = [dict(type='pinas.EpochSeedHook')]
