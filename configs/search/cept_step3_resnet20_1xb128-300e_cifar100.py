# CEPT step 3 of 4: the shared weights copied into 4 narrow branches per layer; 8 sampled paths through the
# branches distil (coefficient 1.0) from the max path through the frozen shared weights. SGD lr 0.001, 300 epochs.
_base_ = ['./cept_step1_resnet20_1xb128-300e_cifar100.py']

model = dict(step=3, init_from='work_dirs/cept_step2_resnet20_1xb128-300e_cifar100',
             backbone=dict(post_add_act='prelu', mode='narrow'),
             num_paths=8, distill_coeff=1.0, temperature=1.0, fix_pretrain=True)
optim_wrapper = dict(optimizer=dict(lr=0.001))
