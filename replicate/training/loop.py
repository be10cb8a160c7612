"""One training loop for every task type, on `accelerate`: bf16 autocast where the GPU supports it (fp16 with
the loss scaler elsewhere on CUDA), DDP under `accelerate launch` (unused-parameter detection for multi-task
heads), length-grouped dynamic padding, gradient accumulation, AdamW + linear warmup, clipping, early stopping on
the English dev set (scored on rank 0, the decision broadcast to every rank), and checkpoints (model + optimizer
+ scheduler + scaler + RNG + data position) from which a killed run resumes exactly where it stopped.

Layout of `out_dir`: checkpoints/step-<N>/ + checkpoints/LATEST while running; train_log.jsonl; best/ (best dev
model) while running; model/ (the final model: best on dev when a dev scorer is given, renamed from best/ so
there is one copy, in `save_dtype`) and train_summary.json when done.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from synth.core.errors import ReplicationError
from synth.core.files import make_temp_dir, write_json, write_text

from ..data.batching import collate, length_grouped_batches, lengths_of, shard
from ..evaluation.predict import choose_precision


class TrainConfig(BaseModel):
    """Hyper-parameters of one training phase (the reference X-STILTs recipe by default)."""

    model_config = ConfigDict(extra="forbid")

    learning_rate: float = Field(1e-5, gt=0)
    warmup_ratio: float = Field(0.1, ge=0, le=1, description="linear warmup over this share of the steps")
    batch_size: int = Field(4, ge=1, description="per-device micro-batch")
    grad_accum: int = Field(8, ge=1, description="micro-batches per optimizer step")
    epochs: float = Field(3, gt=0)
    max_steps: int | None = Field(None, ge=1, description="caps the optimizer steps")
    weight_decay: float = Field(0.01, ge=0)
    adam_epsilon: float = 1e-8
    max_grad_norm: float = Field(1.0, gt=0)
    eval_every: int = Field(0, ge=0, description="optimizer steps between dev evaluations; 0 = end of epoch only")
    patience: int | None = Field(None, ge=1, description="stop after this many dev evaluations without gain")
    checkpoint_every: int = Field(500, ge=1, description="optimizer steps between resumable checkpoints")
    log_every: int = Field(10, ge=1)
    seed: int = 0
    mixed_precision: str = Field("auto", pattern="^(auto|bf16|fp16|no)$",
                                 description="auto = bf16 on GPUs that support it, fp16 (with loss scaling) on "
                                             "older GPUs, none on CPU")
    num_workers: int = Field(0, ge=0, description="collating worker processes (0 = in the training process)")
    mixing_cap: int | None = Field(None, ge=1, description="multi-task: at most this many examples of each task "
                                   "per epoch (examples-proportional mixing with a cap K)")
    save_dtype: str = Field("float32", pattern="^(float32|bfloat16|float16)$",
                            description="dtype of the saved model (bf16 for models that are only evaluated)")

    @property
    def effective_batch(self) -> int:
        return self.batch_size * self.grad_accum


def _linear_warmup(warmup: int, total: int):
    def factor(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return factor


def _make_optimizer(model, config: TrainConfig):
    import torch

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in named if not n.endswith(no_decay)], "weight_decay": config.weight_decay},
        {"params": [p for n, p in named if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    try:  # the fused kernel (CPU and CUDA in torch >= 2.4) does one pass over all parameters
        return torch.optim.AdamW(groups, lr=config.learning_rate, eps=config.adam_epsilon, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.AdamW(groups, lr=config.learning_rate, eps=config.adam_epsilon)


class _Log:
    """Append-only JSONL training log (one event per line, flushed as written)."""

    def __init__(self, path: Path, enabled: bool):
        self.path, self.enabled = path, enabled

    def write(self, **event) -> None:
        if self.enabled:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(event, sort_keys=True) + "\n")


def _save_checkpoint(folder: Path, model, optimizer, scheduler, state: dict, scaler=None) -> None:
    """Write checkpoints/step-N/ through a temp folder, then point LATEST at it and drop older ones."""
    import os
    import tempfile

    import numpy as np
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    name = f"step-{state['step']}"
    tmp = make_temp_dir(folder, f".{name}.")
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(weights, str(tmp / "model.safetensors"))
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    torch.save(scheduler.state_dict(), tmp / "scheduler.pt")
    if scaler is not None:
        torch.save(scaler.state_dict(), tmp / "scaler.pt")
    rng = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    torch.save(rng, tmp / "rng.pt")
    py_state = random.getstate()
    np_state = np.random.get_state()
    state = dict(state, python_rng=[py_state[0], list(py_state[1]), py_state[2]],
                 numpy_rng=[np_state[0], np_state[1].tolist(), *np_state[2:]])
    write_json(tmp / "state.json", state)
    target = folder / name
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    write_text(folder / "LATEST", name + "\n")
    for old in folder.glob("step-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def _load_checkpoint(folder: Path, model, optimizer, scheduler, scaler=None) -> dict | None:
    """Restore the latest checkpoint in place; return its state dict (None when there is none)."""
    import numpy as np
    import torch
    from safetensors.torch import load_file

    latest = folder / "LATEST"
    if not latest.exists():
        return None
    ckpt = folder / latest.read_text().strip()
    model.load_state_dict(load_file(str(ckpt / "model.safetensors")))
    optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
    scheduler.load_state_dict(torch.load(ckpt / "scheduler.pt", weights_only=True))
    if scaler is not None and (ckpt / "scaler.pt").exists():
        scaler.load_state_dict(torch.load(ckpt / "scaler.pt", weights_only=True))
    rng = torch.load(ckpt / "rng.pt", weights_only=True)
    torch.set_rng_state(rng["torch"])
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    state = json.loads((ckpt / "state.json").read_text())
    v, internal, gauss = state.pop("python_rng")
    random.setstate((v, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state.pop("numpy_rng")
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
    return state


def train(model, features, out_dir: str | Path, config: TrainConfig, *, pad_id: int,
          dev_score: Callable[[object], float] | None = None, tokenizer=None,
          on_step: Callable[[dict], None] | None = None, progress: bool = True) -> dict:
    """Train `model` on feature rows; resume from out_dir/checkpoints when present. Returns the summary dict.

    `dev_score(model) -> float` (higher is better) drives evaluation every `eval_every` steps, best-model
    selection and early stopping. `on_step(state)` is called after every optimizer step (progress, tests).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / "train_summary.json").exists():
        return json.loads((out_dir / "train_summary.json").read_text())
    rows = _model_rows(features, out_dir)
    run = _start_run(model, rows, config)
    log = _Log(out_dir / "train_log.jsonl", run.main)
    state = _restore_or_start(run, out_dir / "checkpoints", log, config, examples=len(rows))
    dev = _DevSelection(run, dev_score, out_dir / "best", tokenizer, config, log)
    _run_epochs(run, rows, state, config, pad_id=pad_id, dev=dev, log=log, ckpt_dir=out_dir / "checkpoints",
                on_step=on_step, bar=_progress_bar(run, state, out_dir.name, progress))
    if dev.enabled and state["last_eval"] != state["step"] and not state["stopped_early"]:
        dev.evaluate(state)  # the final weights compete too
    return _finish(run, state, out_dir, config, dev, tokenizer, log, examples=len(rows))


@dataclass
class _Run:
    """What one training run holds: the accelerator, the prepared model and optimizer, the schedule."""

    accelerator: object
    model: object  # as prepared (DDP-wrapped under a launcher)
    raw_model: object
    optimizer: object
    scheduler: object
    scaler: object
    precision: str
    cuda: bool
    world: int
    rank: int
    lengths: list[int]
    groups: list[str] | None
    total_steps: int
    warmup: int

    @property
    def main(self) -> bool:
        return self.accelerator.is_main_process


def _model_rows(features, out_dir: Path) -> list[dict]:
    """Plain rows of the model's columns (a datasets.Dataset is read once)."""
    if len(features) == 0:
        raise ReplicationError(f"no training examples for {out_dir.name}")
    if hasattr(features, "column_names"):
        keep = [c for c in ("input_ids", "labels", "start_positions", "end_positions", "task")
                if c in features.column_names]
        features = features.select_columns(keep).to_list()
    return features


def _start_run(model, rows: list[dict], config: TrainConfig) -> _Run:
    """Accelerator, seeds, the step schedule (steps per epoch × epochs, capped by max_steps), optimizer and
    warmup-then-linear-decay scheduler."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs, set_seed

    cuda = torch.cuda.is_available()
    precision = choose_precision(config.mixed_precision)
    groups = [row["task"] for row in rows] if "task" in rows[0] else None
    # Multi-task batches use one head each: DDP must not wait for gradients of the others.
    handlers = [DistributedDataParallelKwargs(find_unused_parameters=groups is not None)]
    _release_accelerator_state(precision)
    accelerator = Accelerator(mixed_precision=precision, cpu=not cuda, kwargs_handlers=handlers)
    set_seed(config.seed)
    if not cuda:
        torch.use_deterministic_algorithms(True)  # bit-exact resume on CPU
    lengths = lengths_of(rows)
    world, rank = accelerator.num_processes, accelerator.process_index
    total_steps, warmup = plan_steps(lengths, config, rank=rank, world=world, groups=groups)
    optimizer = _make_optimizer(model, config)
    # The optimizer goes through prepare so the fp16 loss scaler steps it; the scheduler stays ours (accelerate
    # would step it once per process) and steps only when the optimizer did (an fp16 overflow skips both).
    model, optimizer = accelerator.prepare(model, optimizer)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer.optimizer, _linear_warmup(warmup, total_steps))
    return _Run(accelerator=accelerator, model=model, raw_model=accelerator.unwrap_model(model),
                optimizer=optimizer, scheduler=scheduler, scaler=accelerator.scaler, precision=precision, cuda=cuda,
                world=world, rank=rank, lengths=lengths, groups=groups, total_steps=total_steps, warmup=warmup)


def plan_steps(lengths: list[int], config: TrainConfig, *, rank: int = 0, world: int = 1,
               groups: list[str] | None = None) -> tuple[int, int]:
    """(optimizer steps, warmup steps) of a run: ceil(batches per epoch / accumulation) × epochs, capped by
    max_steps."""
    first_epoch = length_grouped_batches(lengths, config.batch_size, seed=config.seed, epoch=0, groups=groups,
                                         cap=config.mixing_cap)
    steps_per_epoch = math.ceil(len(shard(first_epoch, rank, world)) / config.grad_accum)
    total_steps = math.ceil(steps_per_epoch * config.epochs)
    if config.max_steps:
        total_steps = min(total_steps, config.max_steps)
    return total_steps, int(config.warmup_ratio * total_steps)


def _restore_or_start(run: _Run, ckpt_dir: Path, log: _Log, config: TrainConfig, *, examples: int) -> dict:
    """The loop's state: restored from the latest checkpoint (model, optimizer, RNG, data position), or fresh."""
    state = {"step": 0, "epoch": 0, "batch": 0, "best": None, "best_step": None, "bad_evals": 0,
             "real_tokens": 0, "padded_tokens": 0, "stopped_early": False, "last_eval": None}
    restored = _load_checkpoint(ckpt_dir, run.raw_model, run.optimizer.optimizer, run.scheduler, run.scaler)
    if restored:
        state.update(restored)
        log.write(event="resume", step=state["step"], epoch=state["epoch"], batch=state["batch"])
    else:
        log.write(event="start", total_steps=run.total_steps, warmup_steps=run.warmup, examples=examples,
                  world_size=run.world, precision=run.precision, config=config.model_dump())
    return state


class _DevSelection:
    """English dev evaluations: keep the best model in best/ and count evaluations without gain (early stopping).
    Scored on rank 0 only; every rank receives the score and takes the same decisions."""

    def __init__(self, run: _Run, dev_score, best_dir: Path, tokenizer, config: TrainConfig, log: _Log):
        self.run, self.dev_score, self.best_dir = run, dev_score, best_dir
        self.tokenizer, self.config, self.log = tokenizer, config, log

    @property
    def enabled(self) -> bool:
        return self.dev_score is not None

    def evaluate(self, state: dict) -> None:
        if not self.enabled:
            return
        import torch

        from .model import save_checkpoint

        run = self.run
        score = [None]
        if run.main:
            run.raw_model.eval()
            with torch.no_grad():
                score = [float(self.dev_score(run.raw_model))]
            run.model.train()
        if run.world > 1:
            from accelerate.utils import broadcast_object_list

            broadcast_object_list(score, from_process=0)
        score = score[0]
        improved = state["best"] is None or score > state["best"]
        if improved:
            state.update(best=score, best_step=state["step"], bad_evals=0)
            if run.main:
                save_checkpoint(run.raw_model, self.best_dir, self.tokenizer, dtype=self.config.save_dtype)
        else:
            state["bad_evals"] += 1
        state["last_eval"] = state["step"]
        self.log.write(event="eval", step=state["step"], dev=score, best=state["best"], improved=improved)
        if self.config.patience and state["bad_evals"] >= self.config.patience:
            state["stopped_early"] = True


def _progress_bar(run: _Run, state: dict, name: str, progress: bool):
    if not (progress and run.main):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=run.total_steps, initial=state["step"], desc=name, unit="step", leave=False)


def _run_epochs(run: _Run, rows: list[dict], state: dict, config: TrainConfig, *, pad_id: int, dev: _DevSelection,
                log: _Log, ckpt_dir: Path, on_step, bar) -> None:
    """Epochs of length-grouped batches (resuming mid-epoch at the saved batch) until the step budget is spent
    or early stopping fires; after each optimizer step: log, evaluate, checkpoint."""
    pad_multiple = 8 if run.cuda else 1  # tensor-core friendly shapes on GPU; exact shapes on CPU
    window = _LossWindow()
    run.model.train()
    epoch_limit = math.ceil(config.epochs)
    while state["epoch"] < epoch_limit and state["step"] < run.total_steps and not state["stopped_early"]:
        epoch = state["epoch"]
        batches = shard(length_grouped_batches(run.lengths, config.batch_size, seed=config.seed, epoch=epoch,
                                               groups=run.groups, cap=config.mixing_cap), run.rank, run.world)
        index = state["batch"]
        stream = iter(batch_stream(rows, batches[index:], pad_id, pad_multiple, workers=config.num_workers,
                                   pin=run.cuda))
        while index < len(batches) and state["step"] < run.total_steps and not state["stopped_early"]:
            group_size = min(config.grad_accum, len(batches) - index)
            _optimizer_step(run, stream, group_size, state, window, config)
            index += group_size
            state["step"] += 1
            state["batch"] = index
            if bar is not None:
                bar.update(1)
            if state["step"] % config.log_every == 0 or state["step"] == run.total_steps:
                log.write(event="step", step=state["step"], epoch=epoch, loss=window.take(),
                          lr=run.scheduler.get_last_lr()[0], real_tokens=state["real_tokens"],
                          padded_tokens=state["padded_tokens"], elapsed_s=round(window.elapsed(), 3))
            if config.eval_every and state["step"] % config.eval_every == 0:
                dev.evaluate(state)
            if index >= len(batches):  # epoch complete
                if not config.eval_every:
                    dev.evaluate(state)
                state.update(epoch=epoch + 1, batch=0)
            if on_step is not None:
                on_step(dict(state))
            if state["step"] % config.checkpoint_every == 0 and state["step"] < run.total_steps:
                if run.main:
                    _save_checkpoint(ckpt_dir, run.raw_model, run.optimizer.optimizer, run.scheduler, state,
                                     run.scaler)
                run.accelerator.wait_for_everyone()
    if bar is not None:
        bar.close()


class _LossWindow:
    """Mean training loss since the last log line, and time since the run (re)started."""

    def __init__(self):
        self.started, self.total, self.n = time.perf_counter(), 0.0, 0

    def add(self, loss: float) -> None:
        self.total += loss
        self.n += 1

    def take(self) -> float:
        mean = round(self.total / max(1, self.n), 6)
        self.total, self.n = 0.0, 0
        return mean

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def _optimizer_step(run: _Run, stream, group_size: int, state: dict, window: _LossWindow,
                    config: TrainConfig) -> None:
    """Accumulate gradients over `group_size` micro-batches (no DDP sync until the last), clip, step the
    optimizer, and the scheduler only when the optimizer stepped."""
    accelerator, model = run.accelerator, run.model
    for position in range(group_size):
        batch = next(stream)
        state["real_tokens"] += batch.pop("real_tokens")
        state["padded_tokens"] += batch.pop("padded_tokens")
        batch = {k: v.to(accelerator.device, non_blocking=run.cuda) if hasattr(v, "to") else v
                 for k, v in batch.items()}
        last = position == group_size - 1
        context = accelerator.no_sync(model) if not last and run.world > 1 else _null()
        with context, accelerator.autocast():
            loss = model(**batch)["loss"] / group_size
        accelerator.backward(loss)
        window.add(float(loss.detach()) * group_size)
    accelerator.clip_grad_norm_(model.parameters(), config.max_grad_norm)
    run.optimizer.step()
    if not run.optimizer.step_was_skipped:
        run.scheduler.step()
    run.optimizer.zero_grad(set_to_none=True)


def _finish(run: _Run, state: dict, out_dir: Path, config: TrainConfig, dev: _DevSelection, tokenizer, log: _Log,
            *, examples: int) -> dict:
    """Sum token counts over ranks, keep one model (best on dev when selecting, else the final weights), write
    the summary and drop the resumable checkpoints."""
    from .model import save_checkpoint

    if run.world > 1:  # every rank's tokens, so the summary (and tokens/s) covers the whole job
        import torch

        counts = torch.tensor([state["real_tokens"], state["padded_tokens"]], device=run.accelerator.device)
        state["real_tokens"], state["padded_tokens"] = (int(v) for v in
                                                        run.accelerator.reduce(counts, "sum").tolist())
    summary = {
        "steps": state["step"], "total_steps": run.total_steps, "epochs_completed": state["epoch"],
        "best_dev": state["best"], "best_step": state["best_step"], "stopped_early": state["stopped_early"],
        "real_tokens": state["real_tokens"], "padded_tokens": state["padded_tokens"],
        "padding_efficiency": round(state["real_tokens"] / max(1, state["padded_tokens"]), 4),
        "examples": examples, "precision": run.precision, "world_size": run.world, "saved_dtype": config.save_dtype,
    }
    if run.main:
        if dev.enabled and (out_dir / "best").exists():
            _move_folder(out_dir / "best", out_dir / "model")  # one copy: the best model becomes the model
        else:
            save_checkpoint(run.raw_model, out_dir / "model", tokenizer, dtype=config.save_dtype)
        log.write(event="done", **summary)
        write_json(out_dir / "train_summary.json", summary)
        shutil.rmtree(out_dir / "checkpoints", ignore_errors=True)  # complete: resumable state no longer needed
    run.accelerator.wait_for_everyone()
    return summary


def _release_accelerator_state(precision: str) -> None:
    """accelerate keeps one process-wide state and refuses a second Accelerator with another mixed precision;
    steps of one plan may differ (a bf16 step after an fp32 one), so drop the old state (the process group, kept
    in PartialState, stays)."""
    from accelerate.state import AcceleratorState

    current = AcceleratorState._shared_state.get("_mixed_precision")
    if current is not None and str(current) != precision:
        AcceleratorState._reset_state(reset_partial_state=False)


def batch_stream(features: list[dict], batches: list[list[int]], pad_id: int, pad_multiple: int, *,
                 workers: int = 0, pin: bool = False):
    """Collated batches in order; with `workers` > 0 they are built ahead in worker processes (pinned on GPU)."""
    if workers == 0:
        return (collate([features[i] for i in ids], pad_id, pad_multiple) for ids in batches)
    from functools import partial

    from torch.utils.data import DataLoader

    collate_ids = partial(_collate_ids, features=features, pad_id=pad_id, pad_multiple=pad_multiple)
    return DataLoader(batches, batch_size=None, shuffle=False, num_workers=workers, pin_memory=pin,
                      collate_fn=collate_ids, persistent_workers=False, prefetch_factor=4)


def _collate_ids(ids: list[int], *, features: list[dict], pad_id: int, pad_multiple: int) -> dict:
    return collate([features[i] for i in ids], pad_id, pad_multiple)


def _move_folder(source: Path, target: Path) -> None:
    """Rename a finished folder into place (one atomic rename on the same file system; no second copy)."""
    import os

    if target.exists():
        shutil.rmtree(target)
    os.replace(source, target)


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
