# Pi-NAS on the embedded default: the CPU-sized ResNeSt space (6 positions x 4 candidates) on the synthetic
# dataset. Same algorithm as the ImageNet config, sizes scaled down (queue 4096 = 64 x global batch 64).
#   python tools/search.py configs/search/pinas_embedded.py
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/embedded_contrastive.py',
          './_base_/search/evolution_embedded.py', './_base_/schedules/cosine_30e.py']

model = dict(
    type='PiNAS',
    backbone=dict(space='pinas_resnest_tiny'),
    neck=dict(hidden_channels=256, out_channels=64),
    queue_len=4096, temperature=0.2, momentum=0.99,
    cross_path=True, num_paths=2, teacher_update='path', use_queue=True)

optim_wrapper = dict(type='SupernetOptimWrapper', optimizer=dict(type='SGD', lr=0.06, momentum=0.9,
                                                                  weight_decay=1e-4))

# Search (evolution, see the base): each candidate scored by kNN top-1 on frozen features after precise-BN
# recalibration of its path.
search = dict(scorer=dict(type='knn', recalib_batches=10, k=20, temperature=0.07), data={{_base_.scoring_data}})
