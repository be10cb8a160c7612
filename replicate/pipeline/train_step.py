"""The intermediate and target training steps: train on the step's task(s) from the parent's encoder (fresh
head), keep the best English-dev checkpoint or the final one (the step's selection rule), and leave one model in
runs/<step-id>/model/.

VERSION is part of every training step's id: bump it when this code changes what a training step produces.
"""

from __future__ import annotations

from pathlib import Path

from .step_config import Step, TrainStepConfig, step_dir
from .step_inputs import data_dir as step_data_dir, encoder_source, tokenizer_source

# 2: typed config, data identity in the id, dev subset + early stopping settings, one model copy.
VERSION = 2


def _labels(task, dataset) -> list[str]:
    """Label names in id order (span QA has none); CCG-style tasks read them from the training split."""
    if task.type in ("span_qa", "retrieval", "mlm"):
        return []
    from ..data.featurize import resolve_labels

    return resolve_labels(task, dataset)


def _dev_limit(c: TrainStepConfig) -> int | None:
    limits = [n for n in (c.data.max_eval_examples, c.hyper.dev_examples) if n]
    return min(limits) if limits else None


def train_config(c: TrainStepConfig, *, world: int = 1, num_workers: int = 0):
    """The training loop's settings for a step (accumulation makes up the effective batch over all ranks)."""
    from ..training.loop import TrainConfig

    h = c.hyper
    return TrainConfig(
        learning_rate=h.learning_rate, warmup_ratio=h.warmup_ratio, batch_size=h.batch_size,
        grad_accum=max(1, h.effective_batch // (h.batch_size * world)), epochs=h.epochs, max_steps=h.max_steps,
        weight_decay=h.weight_decay, eval_every=h.eval_every, patience=h.patience,
        checkpoint_every=h.checkpoint_every, seed=c.seed, save_dtype=c.checkpoint_dtype, num_workers=num_workers,
        mixed_precision=h.precision, mixing_cap=c.mixing.cap_examples if c.mixing else None)


def _selects_on_dev(c: TrainStepConfig, task_name: str) -> bool:
    """Dev evaluations run only under the best-on-dev rule (a final-checkpoint arm never looks at dev)."""
    return c.hyper.selection == "best_dev" and task_name in c.dev_inputs


def _dev_rows(task, c: TrainStepConfig, data):
    from ..data.loading import load_refs

    return load_refs(task, c.dev_inputs[task.name], data, limit=_dev_limit(c), seed=c.seed, take=c.hyper.dev_subset)


def run_training(step: Step, runs: Path, settings, *, progress: bool = True, world: int = 1) -> dict:
    """Train a single-task step (multi-task steps go to `run_multitask_training`)."""
    from ..data.loading import featurize, load_refs
    from ..training.model import HeadSpec, build_model, load_tokenizer
    from .profiles import load_profile
    from ..data.taskconfig import load_task
    from ..training.loop import train
    from ..evaluation.score import dev_scorer

    c: TrainStepConfig = step.config
    if len(c.tasks) > 1:
        return run_multitask_training(step, runs, settings, progress=progress, world=world)
    task = load_task(c.tasks[0])
    folder, data = step_dir(runs, step.id), step_data_dir(step, settings)
    limit = c.data.max_train_examples
    if c.examples:
        limit = min(limit, c.examples) if limit else c.examples
    train_rows = load_refs(task, c.train_inputs[task.name], data, limit=limit, seed=c.seed)
    labels = _labels(task, train_rows)
    source = encoder_source(step, runs, Path(settings.cache))
    tokenizer = load_tokenizer(tokenizer_source(source))
    features = featurize(task, train_rows, tokenizer, max_length=c.hyper.max_length,
                         cache_dir=Path(settings.cache) / "features", labels=labels or None)
    dev_score = None
    if _selects_on_dev(c, task.name):
        dev_rows = _dev_rows(task, c, data)
        dev_score = dev_scorer(task, dev_rows, tokenizer, labels, max_length=c.hyper.max_length,
                               pad_id=tokenizer.pad_token_id, precision=c.hyper.precision)
    spec = HeadSpec(task_type=task.type, num_labels=len(labels), labels=labels)
    model = build_model(source, spec, seed=c.seed)
    workers = load_profile(c.data.profile).dataloader_workers
    return train(model, features, folder, train_config(c, world=world, num_workers=workers),
                 pad_id=tokenizer.pad_token_id, dev_score=dev_score, tokenizer=tokenizer, progress=progress)


def run_multitask_training(step: Step, runs: Path, settings, *, progress: bool = True, world: int = 1) -> dict:
    """One encoder, one head per task, single-task batches mixed in proportion to task size (capped at K examples
    per task and epoch when the mixture says so); the dev score is the mean over the tasks' English dev scores.
    Only the encoder is carried into target training."""
    from ..data.loading import featurize, load_refs, subsample
    from ..training.model import HeadSpec, build_multitask_model, load_tokenizer
    from .profiles import load_profile
    from ..data.taskconfig import load_task
    from ..training.loop import train
    from ..evaluation.score import dev_scorer

    c: TrainStepConfig = step.config
    folder, data, limit = step_dir(runs, step.id), step_data_dir(step, settings), c.data.max_train_examples
    source = encoder_source(step, runs, Path(settings.cache))
    tokenizer = load_tokenizer(tokenizer_source(source))
    tasks = [load_task(name) for name in c.tasks]
    loaded = {t.name: load_refs(t, c.train_inputs[t.name], data, limit=limit, seed=c.seed) for t in tasks}
    if c.examples:  # a data-volume point: split the budget across tasks in proportion to their sizes
        total = sum(len(d) for d in loaded.values())
        loaded = {n: subsample(d, max(1, round(c.examples * len(d) / total)), c.seed) for n, d in loaded.items()}
    rows, specs, scorers = [], {}, {}
    for task in tasks:
        labels = _labels(task, loaded[task.name])
        specs[task.name] = HeadSpec(task_type=task.type, num_labels=len(labels), labels=labels)
        max_length = min(task.max_length, c.hyper.max_length)
        features = featurize(task, loaded[task.name], tokenizer, max_length=max_length,
                             cache_dir=Path(settings.cache) / "features", labels=labels or None)
        keep = [k for k in ("input_ids", "labels", "start_positions", "end_positions") if k in features.column_names]
        rows.extend(dict(row, task=task.name) for row in features.select_columns(keep).to_list())
        if _selects_on_dev(c, task.name):
            dev = _dev_rows(task, c, data)
            scorers[task.name] = dev_scorer(task, dev, tokenizer, labels, max_length=max_length,
                                            pad_id=tokenizer.pad_token_id, precision=c.hyper.precision)
    model = build_multitask_model(source, specs, seed=c.seed)

    def dev_score(m) -> float:
        return sum(score(m._members[name]) for name, score in scorers.items()) / len(scorers)

    workers = load_profile(c.data.profile).dataloader_workers
    return train(model, rows, folder, train_config(c, world=world, num_workers=workers),
                 pad_id=tokenizer.pad_token_id, dev_score=dev_score if scorers else None, tokenizer=tokenizer,
                 progress=progress)
