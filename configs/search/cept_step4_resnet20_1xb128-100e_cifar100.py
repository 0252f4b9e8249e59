# CEPT step 4 of 4: finer branches (4 / 8 / 16 per layer in stages 1 / 2 / 3), each copied from its step-3
# parent; same distillation as step 3. SGD lr 0.001, cosine, 100 epochs.
_base_ = ['./cept_step1_resnet20_1xb128-300e_cifar100.py']

model = dict(step=4, init_from='work_dirs/cept_step3_resnet20_1xb128-300e_cifar100',
             backbone=dict(post_add_act='prelu', mode='fine'),
             num_paths=8, distill_coeff=1.0, temperature=1.0, fix_pretrain=True)
optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(max_epochs=100)  # step 1's cosine (_base_/schedules/cosine_300e.py) then anneals over 100 epochs
