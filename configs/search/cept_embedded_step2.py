# CEPT on the embedded default, step 2 of 4 (see cept_step2_* for the CIFAR-100 settings), from step 1.
_base_ = ['./cept_embedded.py']

model = dict(step=2, init_from='work_dirs/cept_embedded', backbone=dict(post_add_act='prelu'),
             num_paths=8, distill_coeff=0.8, temperature=1.0, look_num=5, max_recover=5)
optim_wrapper = dict(optimizer=dict(lr=0.01))
