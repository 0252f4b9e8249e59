# A benchmark a CPU runs in minutes: the CPU-sized space's uniform architectures and the smoke configs' own
# architecture, from scratch, on the tiny datasets (a few iterations each). It exercises the machinery (records,
# skip, resume, progress), not transfer quality.
#   python tools/make_tiny_datasets.py data/tiny        # or point PINAS_TINY_DATA at them
#   python tools/benchmark.py configs/benchmarks/smoke_cpu.py
#   python tools/benchmark.py configs/benchmarks/smoke_cpu.py --launcher pytorch --gpus 2   # 2 gloo processes a job
_base_ = ['./_base_/tasks.py']
entries = [
    dict(arch='311021', name='smoke-311021', space='pinas_resnest_tiny', weights='scratch'),
    dict(uniform=True, space='pinas_resnest_tiny', weights='scratch'),
]
tasks = [_base_.smoke_mask_rcnn, _base_.smoke_ade_deeplabv3]
seeds = [0]
