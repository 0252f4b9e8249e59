# CEPT step 2 of 4: the fully shared enhanced supernet (projection shortcuts, PReLU, widths 4/8 run as 5/9),
# initialised from step 1; per batch the max path with CE, 8 sampled paths with 0.2 CE + 0.8 soft-CE from the max
# path, one SGD step, then max-recover (5 look paths). SGD lr 0.01, cosine, 300 epochs.
_base_ = ['./cept_step1_resnet20_1xb128-300e_cifar100.py']

model = dict(step=2, init_from='work_dirs/cept_step1_resnet20_1xb128-300e_cifar100',
             backbone=dict(post_add_act='prelu'),
             num_paths=8, distill_coeff=0.8, temperature=1.0, look_num=5, max_recover=5)
optim_wrapper = dict(optimizer=dict(lr=0.01))
