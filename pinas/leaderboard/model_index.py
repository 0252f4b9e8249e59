"""The leaderboard as an OpenMMLab model index: ``model-index.yml`` importing one ``metafile.yml`` per collection.

This is the format mmdet, mmseg and ``mim`` read. A collection is a config family, as in OpenMMLab
(``configs/mask_rcnn/...`` -> ``mask_rcnn``); paper rows form the ``paper`` collection. A model is one setting
(the same experiment up to the seed) with one ``Results`` entry per task it reports, so a Mask R-CNN model has an
Object Detection (box AP) and an Instance Segmentation (mask AP) result. Metric values are quoted strings with the
leaderboard's decimals: YAML would read 39.50 as 39.5.
"""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Sequence

import yaml

from .record import METRICS, Record
from .render import METRIC_DECIMALS, SCORE_DECIMALS, number
from .table import Board, LeaderboardError, Row, slugify

INDEX_FILE = 'model-index.yml'
METAFILE_DIR = 'metafiles'
METAFILE = 'metafile.yml'
PAPER_COLLECTION = 'paper'
CONFIG_HASH_CHARS = 8     # of config_sha256 in a run model's name: one name per setting
YAML_WIDTH = 1 << 16      # no line wrapping


def collection_of(record: Record) -> str:
    """The config's family directory for a run (OpenMMLab's ``configs/<algo>/metafile.yml``), else 'paper'."""
    if record.source == 'paper' or not record.config:
        return PAPER_COLLECTION
    parts = PurePosixPath(record.config.replace('\\', '/')).parts
    return slugify(parts[-2] if len(parts) > 1 else PurePosixPath(record.config).stem)


def model_name(record: Record) -> str:
    """A name per setting: config stem, space, arch, method and config hash for a run; name, arch, task and dataset
    for a paper row."""
    if record.source == 'paper' or not record.config:
        return slugify(f'{record.name}_{record.arch}_{record.task}_{record.dataset}_{record.source}')
    method = record.provenance.method or record.provenance.kind
    sha = f'_{record.config_sha256[:CONFIG_HASH_CHARS]}' if record.config_sha256 else ''
    return slugify(f'{PurePosixPath(record.config).stem}_{record.space}-{record.arch}_{method}{sha}')


def _metadata(rows: Sequence[Row]) -> dict:
    first = rows[0].first
    prov = first.provenance
    meta = {'Training Data': first.dataset}
    if first.params_M is not None:
        meta['Parameters'] = round(first.params_M * 1e6)
    if first.flops_G is not None:
        meta['FLOPs'] = round(first.flops_G * 1e9)   # backbone multiply-accumulates at Input Size
    if first.input_size:
        meta['Input Size'] = list(first.input_size)
    if first.schedule:
        (unit, count), = first.schedule.items()
        meta['Epochs' if unit == 'epochs' else 'Iterations'] = count
    if first.gpus is not None and first.batch_per_gpu is not None:
        meta['Batch Size'] = first.gpus * first.batch_per_gpu
        meta['Training Resources'] = f'{first.gpus} GPUs'
    if first.amp:
        meta['Training Techniques'] = ['AMP']
    meta['Architecture'] = [first.space, first.arch]
    meta['Provenance'] = prov.kind
    if prov.method:
        meta['Search Method'] = prov.method
    if rows[0].score is not None:
        meta['Search Score'] = {prov.score_name or 'score': number(rows[0].score, SCORE_DECIMALS)}
    if prov.rank is not None:
        meta['Search Rank'] = prov.rank
    seeds = [s for s in rows[0].seeds if s is not None]
    if seeds:
        meta['Seeds'] = seeds
    for key, value in (('Pretrain', first.pretrain), ('Pipeline', first.pipeline)):
        if value:
            meta[key] = value
    return meta


def _result(row: Row) -> dict:
    metrics = {}
    for name, stat in row.metrics.items():
        metrics[METRICS[name]] = number(stat.mean, METRIC_DECIMALS)
        if stat.std is not None:
            metrics[f'{METRICS[name]} std'] = number(stat.std, METRIC_DECIMALS)
    return {'Task': row.task.title, 'Dataset': row.first.dataset, 'Metrics': metrics}


def metafiles(boards: Sequence[Board]) -> dict[str, dict]:
    """Collection name -> metafile content; raises :class:`LeaderboardError` if two settings get one name."""
    settings: dict[tuple, list[Row]] = {}
    for board in boards:                      # boards come in task order, so results do too
        for row in board.rows:
            settings.setdefault(row.first.setting, []).append(row)
    models: dict[str, dict[str, dict]] = {}
    owners: dict[str, Record] = {}
    for rows in settings.values():
        first = rows[0].first
        name = model_name(first)
        if name in owners:
            raise LeaderboardError(f'{owners[name].origin} and {first.origin}: two settings would share the model '
                                   f'name {name} in {INDEX_FILE}; give the records distinct names or configs')
        owners[name] = first
        model = {'Name': name, 'In Collection': collection_of(first)}
        if first.config:
            model['Config'] = first.config
        model['Metadata'] = _metadata(rows)
        model['Results'] = [_result(row) for row in rows]
        if first.citation:
            model['Citation'] = first.citation
        models.setdefault(model['In Collection'], {})[name] = model
    return {collection: {'Collections': [{'Name': collection}],
                         'Models': [by_name[n] for n in sorted(by_name)]}
            for collection, by_name in sorted(models.items())}


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=YAML_WIDTH, default_flow_style=False)


def model_index_texts(boards: Sequence[Board]) -> dict[str, str]:
    """``model-index.yml`` and ``metafiles/<collection>/metafile.yml`` as {path under the output: text}."""
    texts, imports = {}, []
    for collection, content in metafiles(boards).items():
        relative = str(PurePosixPath(METAFILE_DIR, collection, METAFILE))
        texts[relative] = dump(content)
        imports.append(relative)
    return {INDEX_FILE: dump({'Import': imports}), **texts}
