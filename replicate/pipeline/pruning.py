"""Disk: a target model is only evaluated, so once every evaluation below it in the plan is done its weights
are deleted (PRUNED records when and why); intermediate models are kept, since every target reuses them.
A later plan that needs a pruned model again retrains it: its DONE is removed and the step runs anew."""

from __future__ import annotations

import shutil
from pathlib import Path

from synth.core.files import write_json

from .plan import Plan
from .step_config import is_done, step_dir

PRUNED = "PRUNED"


def is_pruned(runs: Path, step_id: str) -> bool:
    return (step_dir(runs, step_id) / PRUNED).exists()


def _children(plan: Plan, step_id: str) -> list[str]:
    return [s.id for s in plan.steps.values() if step_id in s.parents]


def prune_finished_targets(plan: Plan, runs: Path, eval_id: str) -> list[str]:
    """Delete the model of every target step above `eval_id` whose children in the plan are all done."""
    from .results import now_iso

    pruned, todo = [], list(plan.steps[eval_id].parents)
    while todo:
        step_id = todo.pop()
        step = plan.steps[step_id]
        if step.kind != "target" or is_pruned(runs, step_id) or not is_done(runs, step_id):
            continue
        if all(is_done(runs, child) for child in _children(plan, step_id)):
            folder = step_dir(runs, step_id)
            write_json(folder / PRUNED, {"when": now_iso(), "reason": "every evaluation of this model is done"})
            shutil.rmtree(folder / "model", ignore_errors=True)
            pruned.append(step_id)
            todo.extend(step.parents)
    return pruned


def revive_pruned_parents(plan: Plan, runs: Path) -> list[str]:
    """Mark pruned steps that a pending step still needs as not done, so they run again (parents first)."""
    revived: list[str] = []
    changed = True
    while changed:
        changed = False
        for step in plan.steps.values():
            if is_done(runs, step.id):
                continue
            for parent in step.parents:
                if is_done(runs, parent) and is_pruned(runs, parent):
                    (step_dir(runs, parent) / "DONE").unlink(missing_ok=True)
                    (step_dir(runs, parent) / PRUNED).unlink(missing_ok=True)
                    (step_dir(runs, parent) / "train_summary.json").unlink(missing_ok=True)
                    revived.append(parent)
                    changed = True
    return revived
