# CEPT on the embedded default, step 3 of 4 (see cept_step3_* for the CIFAR-100 settings), from step 2.
_base_ = ['./cept_embedded.py']

model = dict(step=3, init_from='work_dirs/cept_embedded_step2', backbone=dict(post_add_act='prelu', mode='narrow'),
             num_paths=8, distill_coeff=1.0, temperature=1.0, fix_pretrain=True)
optim_wrapper = dict(optimizer=dict(lr=0.001))
