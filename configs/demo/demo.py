# The demo (`make demo`: tools/demo.sh -> tools/demo.py): what its stages run, on the embedded default, within 10
# minutes of job on 2 quiet cores. tools/demo.py reads this file and holds no settings of its own.
#   python tools/demo.py [--config configs/demo/demo.py] [--work-dir work_dirs/demo] [--epochs N]
# Supernet training, search and export: the embedded Pi-NAS search for this many epochs (DEMO_EPOCHS or --epochs
# override it; the search config's cosine schedule follows them).
search_config = 'configs/search/pinas_embedded.py'
supernet_epochs = 3
# The transfer data: the small generated COCO / ADE20K / Cityscapes (tools/make_tiny_datasets.py --size small)
# where the transfer configs read them ($PINAS_SMALL_DATA, default data/small).
transfer_data = dict(size='small', root='{{$PINAS_SMALL_DATA:data/small}}')
# The transfer benchmark (its architectures, task and seeds are that config's), run by this many tools/benchmark.py
# processes side by side (--shard K/N), each on this many threads: one job per core.
benchmark = 'configs/benchmarks/demo_embedded.py'
transfer_workers = 2
threads_per_worker = 1
# The leaderboard shows the demo's rows beside these published ones.
paper_records = 'results/leaderboard/paper'
# The last screen calls a gap between two architectures real only where an exact permutation test over their seeds
# gives a p-value at or below this (two seeds against two never do: p >= 1/3).
significance = 0.05
