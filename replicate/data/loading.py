"""Load task splits: the Hugging Face Hub online, or local json/jsonl/parquet files in the same schema.

Two entry points. `load_split(task, split, language, data_dir=...)` reads local files when a data folder is
given and the Hub otherwise (no silent fallback: a missing local file is an error). Pipeline steps use
`load_refs(refs, data_dir)`: the source of every (task, split) was chosen when the plan was built
(data_sources.py) and a local file is checked against the fingerprint the step id hashes. Rows keep the
dataset's own schema; the task's `columns` mapping is applied at featurisation time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.core.errors import ReplicationError
from synth.core.jsonio import JsonError, loads

from .taskconfig import TaskConfig, load_task

if TYPE_CHECKING:  # heavy import only for type checkers
    import datasets

LOCAL_SUFFIXES = (".jsonl", ".json", ".parquet")
PARQUET_EXPORT = "refs/convert/parquet"


def fixtures_dir() -> Path:
    """The bundled tiny fixtures (every task type, exact HF schema): usable as a data_dir."""
    from .sources import fixtures_dir as bundled

    return bundled()


def resolve_task(task: TaskConfig | str, language: str | None = None) -> TaskConfig:
    """A TaskConfig for a name or config, narrowed to `language` when given."""
    config = load_task(task) if isinstance(task, str) else task
    if language is not None:
        return config.for_language(language)
    if config.language is None and config.mixture is None and len(config.languages) > 1:
        raise ReplicationError(f"task {config.name!r} has {len(config.languages)} languages: pass language=",
                               hint=f"one of {', '.join(config.languages)}")
    return config


def load_split(task: TaskConfig | str, split: str, language: str | None = None, *, data_dir: Path | str | None = None,
               limit: int | None = None, seed: int = 0) -> "datasets.Dataset":
    """One split ('train' / 'validation' / 'test') of a task, optionally subsampled to `limit` rows (seeded)."""
    from synth.core.settings import get_settings

    config = resolve_task(task, language)
    if data_dir is None:
        data_dir = get_settings().data_dir
    if config.mixture is not None:
        dataset = _load_mixture(config, split, data_dir, seed)
    elif data_dir is not None:
        dataset = load_local(config, split, Path(data_dir))
    else:
        dataset = load_hub(config, split)
    dataset = _apply_row_rules(config, dataset)
    if limit is not None:
        label = config.columns.get("label") if config.type in ("classification", "multiple_choice") else None
        dataset = subsample(dataset, limit, seed, label_column=label if isinstance(label, str) else None)
    return dataset


def load_hub(config: TaskConfig, split: str, *, revision: str | None = None) -> "datasets.Dataset":
    """The split from the Hub at the task's id/config, at `revision` (a pinned commit) or the task's revision."""
    import datasets

    split_name = _split_name(config, split)
    declared = config.hf.revision if config.hf else None
    if config.hf is None:
        raise ReplicationError(f"task {config.name!r} has no Hub source: give local files with --data-dir",
                               hint=config.license_note)
    try:
        if declared == PARQUET_EXPORT:
            # Script-only repos cannot be loaded by datasets >= 4; the Hub's parquet export has the same rows at
            # <config>/<split>/*.parquet on this ref (uncertain for splits over 5 GB: "partial-<split>"). A pinned
            # commit of the export branch replaces the branch name.
            ref = (revision or PARQUET_EXPORT).replace("/", "%2F")
            pattern = f"hf://datasets/{config.hf.id}@{ref}/{config.hf.config or 'default'}/{split_name}/*.parquet"
            return datasets.load_dataset("parquet", data_files={split_name: pattern}, split=split_name)
        return datasets.load_dataset(config.hf.id, config.hf.config, revision=revision or declared, split=split_name)
    except Exception as exc:  # network down, offline mode, unknown config: one clear message
        where = f"{config.hf.id}" + (f" ({config.hf.config})" if config.hf.config else "")
        raise ReplicationError(f"cannot load {where} split {split_name!r} from the Hugging Face Hub: "
                               f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                               hint="offline? set --data-dir / SYNTH_DATA_DIR to local files") from exc


def local_path(config: TaskConfig, split: str, data_dir: Path) -> Path:
    """Where the local file of a split is expected (the first existing suffix, else the .jsonl name)."""
    _split_name(config, split)  # raises when the task has no such split
    lang = config.language or (config.languages[0] if len(config.languages) == 1 else None)
    pattern = config.local_files
    if isinstance(pattern, dict):
        if split not in pattern:
            raise ReplicationError(f"task {config.name!r} names no local file for split {split!r}")
        pattern = pattern[split]
    if pattern is not None:
        if "{lang}" in pattern and lang is None:
            raise ReplicationError(f"task {config.name!r}: local file pattern {pattern!r} needs a language")
        return data_dir / pattern.format(split=split, lang=lang)
    stem = f"{split}.{config.language}" if config.language else split
    base = data_dir / config.family_name / stem
    for suffix in LOCAL_SUFFIXES:
        if base.with_name(base.name + suffix).exists():
            return base.with_name(base.name + suffix)
    return base.with_name(base.name + ".jsonl")


def load_local(config: TaskConfig, split: str, data_dir: Path) -> "datasets.Dataset":
    """A split from local json/jsonl/parquet (or nested SQuAD JSON) under data_dir."""
    path = local_path(config, split, data_dir)
    if not path.exists():
        raise ReplicationError(f"no local data for task {config.name!r} split {split!r}: {path} does not exist",
                               hint=config.license_note or "local files use the Hub dataset's schema")
    return read_local(config, path)


def read_local(config: TaskConfig, path: Path) -> "datasets.Dataset":
    """Rows of one local file in the task's Hub schema (json, jsonl, parquet, or nested SQuAD JSON)."""
    import datasets

    try:
        if config.local_format == "squad" or (config.type == "span_qa" and path.suffix == ".json"
                                              and _is_squad_document(path)):
            return datasets.Dataset.from_list(read_squad_json(path), features=squad_features())
        if path.suffix == ".parquet":
            return datasets.Dataset.from_parquet(str(path))
        if path.suffix in (".json", ".jsonl"):
            return datasets.Dataset.from_json(str(path))
    except ReplicationError:
        raise
    except Exception as exc:
        raise ReplicationError(f"cannot read {path}: {type(exc).__name__}: {exc}") from exc
    raise ReplicationError(f"{path}: unsupported file type (use {', '.join(LOCAL_SUFFIXES)})")


def squad_features() -> "datasets.Features":
    """The HF schema of SQuAD-format datasets (squad, xquad, mlqa, tydiqa secondary_task)."""
    import datasets

    return datasets.Features({
        "id": datasets.Value("string"), "title": datasets.Value("string"), "context": datasets.Value("string"),
        "question": datasets.Value("string"),
        "answers": datasets.Sequence({"text": datasets.Value("string"), "answer_start": datasets.Value("int32")}),
    })


def _is_squad_document(path: Path) -> bool:
    # The official SQuAD / MLQA / TyDiQA-GoldP files are one JSON document {"data": [{"paragraphs": ...}]}.
    try:
        raw = loads(path.read_bytes(), what=str(path), max_number=math.inf)
    except (OSError, JsonError):
        return False
    return isinstance(raw, dict) and isinstance(raw.get("data"), list)


def read_squad_json(path: Path) -> list[dict[str, Any]]:
    """Flatten nested SQuAD v1.1 JSON (data -> paragraphs -> qas) into HF rows."""
    try:
        raw = loads(path.read_bytes(), what=str(path), max_number=math.inf)
        rows = []
        for article in raw["data"] if isinstance(raw, dict) else raw:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    answers = qa.get("answers", [])
                    rows.append({"id": str(qa["id"]), "title": article.get("title", ""),
                                 "context": paragraph["context"], "question": qa["question"],
                                 "answers": {"text": [a["text"] for a in answers],
                                             "answer_start": [int(a["answer_start"]) for a in answers]}})
    except JsonError as exc:
        raise ReplicationError(f"{path}: not SQuAD v1.1 JSON ({exc.reason})") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ReplicationError(f"{path}: not SQuAD v1.1 JSON ({type(exc).__name__}: {exc})") from exc
    return rows


def _split_name(config: TaskConfig, split: str) -> str:
    name = config.split_name(split)
    if name is None:
        available = [r for r in ("train", "validation", "test") if config.split_name(r)]
        raise ReplicationError(f"task {config.name!r} has no {split!r} split",
                               hint=f"available: {', '.join(available) or 'none'}")
    return name


def _apply_row_rules(config: TaskConfig, dataset: "datasets.Dataset") -> "datasets.Dataset":
    if config.row_filter is not None:
        column, prefix = config.row_filter.column, config.row_filter.startswith
        dataset = dataset.filter(lambda batch: [str(v).startswith(prefix) for v in batch[column]], batched=True)
    if config.drop_unlabelled:
        column = config.columns["label"]
        dataset = dataset.filter(lambda batch: [v != -1 for v in batch[column]], batched=True)
    return dataset


def _load_mixture(config: TaskConfig, split: str, data_dir, seed: int) -> "datasets.Dataset":
    """Examples-proportional mixture: the components' splits concatenated and shuffled with the seed."""
    components = [(name, load_split(load_task(name), split, data_dir=data_dir)) for name in config.mixture or []
                  if load_task(name).split_name(split) is not None]
    if not components:
        raise ReplicationError(f"no component of mixture {config.name!r} has a {split!r} split")
    return mix_components(config, components, seed)


def mix_components(config: TaskConfig, components: list[tuple[str, "datasets.Dataset"]],
                   seed: int) -> "datasets.Dataset":
    """The components' rows concatenated (tagged with `source_task`) and shuffled with the seed."""
    import datasets

    parts = []
    keep = [c for c in config.columns.values() if isinstance(c, str)]
    for name, part in components:
        part = part.select_columns(keep)
        if parts:  # e.g. ClassLabel in one component, int64 in another: align on the first
            part = part.cast(datasets.Features({k: parts[0].features[k] for k in keep}))
        parts.append(part.add_column("source_task", [name] * len(part)))
    return datasets.concatenate_datasets(parts).shuffle(seed=seed).flatten_indices()


def load_ref(ref, data_dir: Path | str | None) -> "datasets.Dataset":
    """The rows of one planned (task, split) from its chosen source, row rules applied."""
    from .sources import check_local

    config = load_task(ref.task)
    if ref.source == "local":
        dataset = read_local(config, check_local(ref, Path(data_dir) if data_dir else None))
    else:
        dataset = load_hub(config, ref.split, revision=ref.revision)
    return _apply_row_rules(config, dataset)


def load_refs(task: TaskConfig | str, refs: list, data_dir: Path | str | None, *, limit: int | None = None,
              seed: int = 0, take: str = "sample") -> "datasets.Dataset":
    """A planned split of `task` (a mixture: one ref per component), optionally cut to `limit` rows: a seeded
    stratified sample, or (`take="first"`) the split's first rows in file order."""
    config = load_task(task) if isinstance(task, str) else task
    if config.mixture is not None:
        dataset = _apply_row_rules(config, mix_components(config, [(r.task, load_ref(r, data_dir)) for r in refs],
                                                          seed))
    else:
        if len(refs) != 1:
            raise ReplicationError(f"task {config.name!r}: expected one data source, got {len(refs)}")
        dataset = load_ref(refs[0], data_dir)
    if limit is not None and take == "first":
        return dataset.select(range(min(limit, len(dataset))))
    if limit is not None:
        label = config.columns.get("label") if config.type in ("classification", "multiple_choice") else None
        dataset = subsample(dataset, limit, seed, label_column=label if isinstance(label, str) else None)
    return dataset


def subsample(dataset: "datasets.Dataset", n: int, seed: int, label_column: str | None = None) -> "datasets.Dataset":
    """Exactly min(n, len) rows, seeded; stratified by label (largest-remainder quotas) when given.

    Each class is permuted once per seed, so smaller subsamples are (up to quota rounding) prefixes of
    larger ones: a data-volume sweep nests.
    """
    import numpy as np

    if n < 0:
        raise ReplicationError(f"cannot subsample to {n} rows")
    total = len(dataset)
    if n >= total:
        return dataset
    if label_column is None or label_column not in dataset.column_names:
        return dataset.select(sorted(np.random.default_rng(seed).permutation(total)[:n].tolist()))
    labels = [json.dumps(v, sort_keys=True) for v in dataset[label_column]]
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    keys = sorted(groups)
    exact = {k: n * len(groups[k]) / total for k in keys}
    quota = {k: int(exact[k]) for k in keys}
    by_remainder = sorted(keys, key=lambda k: (-(exact[k] - quota[k]), k))
    for k in by_remainder[: n - sum(quota.values())]:
        quota[k] += 1
    chosen: list[int] = []
    for class_index, k in enumerate(keys):
        order = np.random.default_rng([seed, class_index]).permutation(len(groups[k]))
        chosen.extend(groups[k][i] for i in order[: quota[k]])
    return dataset.select(sorted(chosen))


from .featurize import featurize, postprocess_qa  # noqa: E402  (re-exported: the data API in one place)

__all__ = ["fixtures_dir", "load_split", "load_refs", "load_ref", "load_hub", "load_local", "read_local",
           "local_path", "subsample", "featurize", "postprocess_qa", "resolve_task", "read_squad_json"]
