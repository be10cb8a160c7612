"""Run one pipeline step: intermediate/target training or zero-shot evaluation, into runs/<step-id>/.

A step folder is complete when it holds DONE (written last, atomically); step.json records the step's config
and position in the grid. A killed training step resumes from its checkpoint on the next run.
"""

from __future__ import annotations

from pathlib import Path

from synth.core.errors import ReplicationError
from synth.core.files import write_json

from .pipeline import Step, is_done, step_dir
from .step_inputs import data_dir as step_data_dir, encoder_source, tokenizer_source


def _labels(task, dataset) -> list[str]:
    """Label names in id order (span QA has none); CCG-style tasks read them from the training split."""
    if task.type in ("span_qa", "retrieval"):
        return []
    from .featurize import resolve_labels

    return resolve_labels(task, dataset)


def run_step(step: Step, runs: Path, settings, *, progress: bool = True) -> Path:
    """Execute `step` unless already done; return its folder."""
    folder = step_dir(runs, step.id)
    if is_done(runs, step.id):
        return folder
    for parent in step.parents:
        if not is_done(runs, parent):
            raise ReplicationError(f"step {step.id} needs {parent}, which has not finished")
    if step.kind == "eval" and _rank() != 0:
        return folder  # under `accelerate launch` evaluations are leaves: rank 0 alone runs them
    folder.mkdir(parents=True, exist_ok=True)
    _apply_threads(step)
    write_json(folder / "step.json", {"id": step.id, "kind": step.kind, "config": step.config,
                                      "parents": step.parents, "meta": step.meta})
    if step.kind == "eval":
        from .zeroshot import run_eval

        run_eval(step, runs, settings, progress=progress)
    else:
        run_training(step, runs, settings, progress=progress)
    write_json(folder / "DONE", {"id": step.id})
    return folder


def run_training(step: Step, runs: Path, settings, *, progress: bool = True) -> dict:
    """Train on the step's task(s) from its parent's encoder (fresh head), select on English dev."""
    from .data import featurize, load_split
    from .zeroshot import dev_scorer
    from .model import HeadSpec, build_model, load_tokenizer
    from .taskconfig import load_task
    from .train import train

    c = step.config
    folder = step_dir(runs, step.id)
    if len(c["tasks"]) > 1:
        return run_multitask_training(step, runs, settings, progress=progress)
    task = load_task(c["tasks"][0])
    data_dir = step_data_dir(c, settings)
    limit = c["data"]["max_train_examples"]
    if c["examples"]:
        limit = min(limit, c["examples"]) if limit else c["examples"]
    train_rows = load_split(task, "train", data_dir=data_dir, limit=limit, seed=c["seed"])
    labels = _labels(task, train_rows)
    source = encoder_source(step, runs, Path(settings.cache))
    tokenizer = load_tokenizer(tokenizer_source(source))
    hyper = c["hyper"]
    features = featurize(task, train_rows, tokenizer, max_length=hyper["max_length"],
                         cache_dir=Path(settings.cache) / "features", labels=labels or None)
    dev_score = None
    if task.split_name("validation"):
        dev_rows = load_split(task, "validation", data_dir=data_dir, limit=c["data"]["max_eval_examples"],
                              seed=c["seed"])
        dev_score = dev_scorer(task, dev_rows, tokenizer, labels, max_length=hyper["max_length"],
                               pad_id=tokenizer.pad_token_id)
    spec = HeadSpec(task_type=task.type, num_labels=len(labels), labels=labels)
    model = build_model(source, spec, seed=c["seed"])
    return train(model, features, folder, _train_config(c), pad_id=tokenizer.pad_token_id, dev_score=dev_score,
                 tokenizer=tokenizer, progress=progress)


def _train_config(c: dict):
    from .train import TrainConfig

    hyper, world = c["hyper"], _world_size()
    return TrainConfig(
        learning_rate=hyper["learning_rate"], warmup_ratio=hyper["warmup_ratio"], batch_size=hyper["batch_size"],
        grad_accum=max(1, hyper["effective_batch"] // (hyper["batch_size"] * world)), epochs=hyper["epochs"],
        max_steps=hyper.get("max_steps"), weight_decay=hyper.get("weight_decay") or 0.0,
        eval_every=hyper.get("eval_every") or 0, patience=hyper.get("patience"),
        checkpoint_every=hyper.get("checkpoint_every", 500), seed=c["seed"],
    )


def run_multitask_training(step: Step, runs: Path, settings, *, progress: bool = True) -> dict:
    """One encoder, one head per task, single-task batches mixed in proportion to task size; the dev score
    is the mean over the tasks' English dev scores. Only the encoder is carried into target training."""
    from .data import featurize, load_split, subsample
    from .model import HeadSpec, build_multitask_model, load_tokenizer
    from .taskconfig import load_task
    from .train import train
    from .zeroshot import dev_scorer

    c = step.config
    folder = step_dir(runs, step.id)
    data_dir, limit = step_data_dir(c, settings), c["data"]["max_train_examples"]
    source = encoder_source(step, runs, Path(settings.cache))
    tokenizer = load_tokenizer(tokenizer_source(source))
    tasks = [load_task(name) for name in c["tasks"]]
    loaded = {t.name: load_split(t, "train", data_dir=data_dir, limit=limit, seed=c["seed"]) for t in tasks}
    if c["examples"]:  # a data-volume point: split the budget across tasks in proportion to their sizes
        total = sum(len(d) for d in loaded.values())
        loaded = {n: subsample(d, max(1, round(c["examples"] * len(d) / total)), c["seed"]) for n, d in loaded.items()}
    rows, specs, scorers = [], {}, {}
    for task in tasks:
        labels = _labels(task, loaded[task.name])
        specs[task.name] = HeadSpec(task_type=task.type, num_labels=len(labels), labels=labels)
        max_length = min(task.max_length, c["hyper"]["max_length"])
        features = featurize(task, loaded[task.name], tokenizer, max_length=max_length,
                             cache_dir=Path(settings.cache) / "features", labels=labels or None)
        keep = [k for k in ("input_ids", "labels", "start_positions", "end_positions") if k in features.column_names]
        rows.extend(dict(row, task=task.name) for row in features.select_columns(keep).to_list())
        if task.split_name("validation"):
            dev = load_split(task, "validation", data_dir=data_dir, limit=c["data"]["max_eval_examples"],
                             seed=c["seed"])
            scorers[task.name] = dev_scorer(task, dev, tokenizer, labels, max_length=max_length,
                                            pad_id=tokenizer.pad_token_id)
    model = build_multitask_model(source, specs, seed=c["seed"])

    def dev_score(m) -> float:
        return sum(score(m._members[name]) for name, score in scorers.items()) / len(scorers)

    return train(model, rows, folder, _train_config(c), pad_id=tokenizer.pad_token_id,
                 dev_score=dev_score if scorers else None, tokenizer=tokenizer, progress=progress)


def _apply_threads(step: Step) -> None:
    from .profiles import load_profile

    threads = load_profile(step.config["data"]["profile"]).cpu_threads
    if threads:
        import torch

        torch.set_num_threads(threads)


def _rank() -> int:
    import os

    return int(os.environ.get("RANK", "0"))


def _world_size() -> int:
    import os

    return int(os.environ.get("WORLD_SIZE", "1"))
