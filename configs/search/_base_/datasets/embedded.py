# The embedded default dataset, shared by every embedded config and by tools/make_ground_truth.py: procedural
# images generated on first use (no download), 20 (shape, texture) classes at 32x32. 150 val images per class
# keep the evaluation's binomial noise under 1 point, so architectures' accuracies can be told apart.
data_root = 'data/embedded'
num_classes = 20
synthetic = dict(num_classes=num_classes, train_per_class=250, val_per_class=150, image_size=32, seed=0)
mean, std = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)
