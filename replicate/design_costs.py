"""Cost of a plan per model and per arm (baseline, each intermediate task, each fixed-steps arm), for the dry run.

GPU-hours come from the stated throughput in experiments/_costs.yaml, which is for one model (xlm-roberta-large);
another encoder's hours are scaled by its parameter count relative to that model (a first-order estimate: the
6·N FLOPs per token rule), and say so.
"""

from __future__ import annotations

from collections.abc import Callable

from .pipeline import Plan, Step


def _parameters(model: str, table: dict) -> int | None:
    key = next((k for k in table if model == k or model.startswith(k)), None)
    return int(table[key]["parameters"]) if key else None


def arm_costs(plan: Plan, *, table: dict, step_tokens: Callable[[Step], int],
              step_gpu_hours: Callable[[Step], float]) -> list[dict]:
    """Rows (model, arm, steps, tokens, GPU-hours) sorted by model then arm; every step counted once.
    `table` is experiments/_costs.yaml; the per-step estimates come from synth.replicate.costs."""
    reference = table["throughput"].get("model", "xlm-roberta-large")
    models = table.get("models", {})
    rows: dict[tuple[str, str], dict] = {}
    for step in plan.steps.values():
        model = step.meta.get("model") or ""
        arm = step.meta.get("intermediate") or "baseline"
        row = rows.setdefault((model, arm), {"model": model, "arm": arm, "steps": 0, "tokens": 0, "gpu_hours": 0.0})
        ratio = 1.0
        have, ref = _parameters(model, models), _parameters(reference, models)
        if have and ref and model != reference:
            ratio = have / ref
        row["steps"] += 1
        row["tokens"] += step_tokens(step)
        row["gpu_hours"] += step_gpu_hours(step) * ratio
    return [r for _, r in sorted(rows.items())]


def model_totals(rows: list[dict]) -> list[dict]:
    """Per model: steps, tokens and GPU-hours over its arms."""
    totals: dict[str, dict] = {}
    for r in rows:
        t = totals.setdefault(r["model"], {"model": r["model"], "steps": 0, "tokens": 0, "gpu_hours": 0.0})
        t["steps"] += r["steps"]
        t["tokens"] += r["tokens"]
        t["gpu_hours"] += r["gpu_hours"]
    return list(totals.values())
