# SPOS on the Track-1 ResNet20 channel space (embedded default): the baseline CEPT is measured against in
# tools/benchmarks/ranking_methods.py. The same supernet class as CEPT step 2, but trained the plain single-path
# way: one uniform path per batch with cross-entropy, no max path, no distillation, no max-recover, and none of
# the candidates enhancement (no width remap, ReLU after the add).
#   python tools/search.py configs/search/spos_track1_embedded.py
_base_ = ['./cept_embedded.py']

model = dict(step=2, num_paths=1, train_max_path=False, distill_coeff=0.0, look_num=0, max_recover=0,
             width_remap={}, post_add_act='relu')
