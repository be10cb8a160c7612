"""Run one pipeline step into runs/<step-id>/, under the step's lock.

A step folder is complete when it holds DONE (written last, atomically); step.json records the step's config
and position in the grid. A killed training step resumes from its checkpoint on the next run. Two workers
reaching the same step: one runs it, the other waits for the lock and then finds it DONE.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from synth.core.errors import ReplicationError
from synth.core.files import write_json

from .step_config import Step, is_done, step_dir
from .step_lock import TryLock, sleep_poll, step_lock


def run_step(step: Step, runs: Path, settings, *, progress: bool = True,
             on_wait: Callable[[str], None] | None = None) -> str:
    """Execute `step` unless it is done; 'ran', or 'cached' when it was done (perhaps by another worker)."""
    if is_done(runs, step.id):
        return "cached"
    for parent in step.parents:
        if not is_done(runs, parent):
            raise ReplicationError(f"step {step.id} needs {parent}, which has not finished")
    rank, world = _rank(), _world_size()
    if step.kind == "eval" and rank != 0:
        return "ran"  # under `accelerate launch` evaluations are leaves: rank 0 alone runs them
    if world > 1 and step.kind != "eval":
        return _run_distributed(step, runs, settings, progress=progress, rank=rank, world=world)
    with step_lock(runs, step.id, on_wait=on_wait):
        if is_done(runs, step.id):
            return "cached"
        _execute(step, runs, settings, progress=progress, main=True, world=1)
    return "ran"


def _run_distributed(step: Step, runs: Path, settings, *, progress: bool, rank: int, world: int) -> str:
    """DDP training: rank 0 takes the step's lock; every rank learns the decision through a short broadcast
    per poll, so no rank sits in a long collective while rank 0 waits for another worker's lock."""
    from accelerate import PartialState
    from accelerate.utils import broadcast_object_list

    PartialState()  # joins the process group the launcher set up
    lock = TryLock(runs, step.id) if rank == 0 else None
    try:
        attempt = 0
        while True:
            decision = ["wait"]
            if lock is not None:
                if is_done(runs, step.id):
                    decision = ["cached"]
                elif lock.attempt():
                    decision = ["cached" if is_done(runs, step.id) else "run"]
            broadcast_object_list(decision, from_process=0)
            if decision[0] != "wait":
                break
            sleep_poll(attempt)
            attempt += 1
        if decision[0] == "cached":
            return "cached"
        _execute(step, runs, settings, progress=progress, main=rank == 0, world=world)
        return "ran"
    finally:
        if lock is not None:
            lock.release()


def _execute(step: Step, runs: Path, settings, *, progress: bool, main: bool, world: int) -> None:
    folder = step_dir(runs, step.id)
    folder.mkdir(parents=True, exist_ok=True)
    _apply_threads(step)
    if main:
        write_json(folder / "step.json", step.as_json())
    if step.kind == "eval":
        from .eval_step import run_eval

        run_eval(step, runs, settings, progress=progress)
    else:
        from .train_step import run_training

        run_training(step, runs, settings, progress=progress, world=world)
    if main:
        write_json(folder / "DONE", {"id": step.id})


def _apply_threads(step: Step) -> None:
    from .profiles import load_profile

    threads = load_profile(step.config.data.profile).cpu_threads
    if threads:
        import torch

        torch.set_num_threads(threads)


def _rank() -> int:
    return int(os.environ.get("RANK", "0"))


def _world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))
