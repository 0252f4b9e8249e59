# The stand-alone training recipe of a ground truth (tools/make_ground_truth.py --recipe; this file by default):
# SGD with Nesterov momentum, a linear warmup then a cosine, the same for every architecture and seed
# (pinas.studies.ground_truth.train_standalone, on the data of --data-config). The warmup keeps short runs of narrow
# networks from diverging in their first steps, which otherwise shows up as seed-to-seed noise far larger than the
# differences between architectures. A runs file records these values (its meta's `train`) and never mixes runs of
# another recipe into one table; --epochs overrides `epochs` (results/ground_truth/track1_resnet20_e10.json: 10).
#   python tools/make_ground_truth.py --space pinas_resnest_tiny --num-archs 30 --seeds 0 1 \
#       --out results/ground_truth/pinas_resnest_tiny.json
standalone_train = dict(epochs=6, warmup_epochs=1.0, batch_size=64, lr=0.1, momentum=0.9, weight_decay=5e-4,
                        crop_padding=4)
