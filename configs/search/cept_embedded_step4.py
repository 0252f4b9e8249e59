# CEPT on the embedded default, step 4 of 4 (see cept_step4_* for the CIFAR-100 settings), from step 3.
_base_ = ['./cept_embedded.py']

model = dict(step=4, init_from='work_dirs/cept_embedded_step3', backbone=dict(post_add_act='prelu', mode='fine'),
             num_paths=8, distill_coeff=1.0, temperature=1.0, fix_pretrain=True)
optim_wrapper = dict(optimizer=dict(lr=0.001))
