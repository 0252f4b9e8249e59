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
    spec = json.loads(json.dumps(SyntheticSpec().__dict__))
    for meta in sorted((ROOT / 'results/ground_truth').glob('*.meta.json')):
        assert json.loads(meta.read_text())['meta']['dataset'] == spec, f'{meta} is stale: regenerate it'
