# SPOS on the embedded default: supervised single-path uniform sampling over the CPU-sized ResNeSt space.
#   python tools/search.py configs/search/spos_embedded.py
_base_ = ['./_base_/default_runtime.py', './_base_/datasets/embedded_cls.py',
          './_base_/search/evolution_embedded.py', './_base_/schedules/cosine_30e.py']

model = dict(type='SPOS', backbone=dict(space='pinas_resnest_tiny'), num_classes={{_base_.num_classes}})

optim_wrapper = dict(type='SupernetOptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                                                  weight_decay=5e-4))

# Search (evolution, see the base): each candidate scored by its own top-1 after precise-BN recalibration.
search = dict(scorer=dict(type='top1', recalib_batches=10), data={{_base_.scoring_data}})
