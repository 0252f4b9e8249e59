"""The embedded default dataset: deterministic, laid out like real data, and one definition for every user."""
import json
from pathlib import Path

from mmengine.config import Config

from pinas.datasets import ImageFolder, SyntheticSpec, make_synthetic_dataset
from pinas.datasets.synthetic import class_names

ROOT = Path(__file__).resolve().parents[3]
EMBEDDED = ROOT / 'configs/search/_base_/datasets/embedded.py'


def test_generation_is_deterministic_and_uses_the_imagefolder_layout(tmp_path):
    spec = SyntheticSpec(num_classes=20, train_per_class=2, val_per_class=1)
    a, b = make_synthetic_dataset(tmp_path / 'a', spec), make_synthetic_dataset(tmp_path / 'b', spec)
    files = sorted(p.relative_to(a) for p in a.rglob('*.png'))
    assert len(files) == 20 * 3
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    dataset = ImageFolder(str(a), split='val')
    assert len(dataset) == 20 and dataset.classes == list(range(20))


def test_configs_and_the_default_spec_describe_the_same_dataset():
    assert SyntheticSpec(**Config.fromfile(EMBEDDED).synthetic) == SyntheticSpec()
    assert len(set(class_names(SyntheticSpec().num_classes))) == SyntheticSpec().num_classes


def test_committed_ground_truth_was_made_on_the_current_embedded_default():
    """Classification tables were trained on it; transfer tables (made from records, naming their task) fine-tuned
    networks pretrained on it."""
    spec = json.loads(json.dumps(SyntheticSpec().__dict__))
    metas = {path: json.loads(path.read_text())['meta']
             for path in sorted((ROOT / 'results/ground_truth').glob('*.meta.json'))}
    classification = {path: meta for path, meta in metas.items() if 'task' not in meta}
    for path, meta in classification.items():
        assert meta['dataset'] == spec, f'{path} is stale: regenerate it'
    fingerprints = {meta.get('dataset_fingerprint') for meta in classification.values()} - {None}
    for path, meta in metas.items():
        if 'task' in meta:
            assert meta['pretrained_dataset_fingerprint'] in fingerprints, f'{path} is stale: regenerate it'


def test_regenerating_with_fewer_classes_leaves_no_class_behind_and_the_same_spec_is_kept(tmp_path, monkeypatch):
    """A tree is replaced whole, never merged: 20 classes regenerated as 4 give 4 class folders (leftovers would be
    read as labels 4..19, and a 4-way classifier fails on them); the same spec keeps the tree; a kill half-way
    through a generation leaves the old complete tree."""
    from pinas.datasets import synthetic
    root = tmp_path / 'embedded'
    make_synthetic_dataset(root, SyntheticSpec(num_classes=20, train_per_class=1, val_per_class=1))
    make_synthetic_dataset(root, SyntheticSpec(num_classes=4, train_per_class=1, val_per_class=1))
    assert sorted(p.name for p in (root / 'train').iterdir()) == sorted(class_names(4))
    assert ImageFolder(str(root), split='train').classes == [0, 1, 2, 3]
    spec = SyntheticSpec(num_classes=4, train_per_class=1, val_per_class=1)
    before = {p: p.stat().st_mtime_ns for p in root.rglob('*') if p.is_file()}
    make_synthetic_dataset(root, spec)
    assert {p: p.stat().st_mtime_ns for p in root.rglob('*') if p.is_file()} == before

    calls = []

    def render(*args):
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed after three images of the new tree
        calls.append(args)
        return synthetic.Image.new('RGB', (8, 8))
    monkeypatch.setattr(synthetic, 'render', render)
    try:
        make_synthetic_dataset(root, SyntheticSpec(num_classes=4, train_per_class=2, val_per_class=1))
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError('the generation was not interrupted')
    assert {p: p.stat().st_mtime_ns for p in root.rglob('*') if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ['embedded']
