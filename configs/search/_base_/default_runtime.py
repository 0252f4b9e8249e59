# Runtime shared by all supernet-training configs (mmengine Runner).
default_scope = 'pinas'
custom_imports = dict(imports=['pinas.algorithms', 'pinas.datasets', 'pinas.engine'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Atomic writes: an interrupted save never leaves a truncated checkpoint behind.
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_last=True,
                    backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
# Checkpoints carry the path sampler's state, and each epoch's other random draws (augmentation, in this process
# or the loader's workers) follow from (seed, epoch): a resumed run is the uninterrupted one to the bit.
custom_hooks = [dict(type='PathSamplerStateHook'), dict(type='EpochSeedHook')]
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
# Unsampled candidates take no part in a step: DDP must tolerate parameters without gradients.
model_wrapper_cfg = dict(type='DeviceAwareDDP', find_unused_parameters=True, broadcast_buffers=False)
log_processor = dict(by_epoch=True, window_size=10)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
