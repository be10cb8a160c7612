"""What a plan costs before it runs: tokens, GPU-hours (from the throughput in experiments/_costs.yaml, which
says whether it was measured or stated) and disk (kept checkpoints and the peak while training)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..experiments import EXPERIMENTS_DIR
from .plan import KINDS, Plan, Step, ancestors, is_done

# Bytes per parameter of what a training step writes: AdamW keeps two fp32 moments beside the fp32 weights
# in a resumable checkpoint; a new checkpoint is written before the old one is removed.
OPTIMIZER_BYTES = 8
DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}


@lru_cache(maxsize=1)
def costs_table() -> dict:
    """experiments/_costs.yaml: throughput, per-task sizes, model parameter counts."""
    from ruamel.yaml import YAML

    return YAML(typ="safe").load((EXPERIMENTS_DIR / "_costs.yaml").read_text(encoding="utf-8"))


def _info(name: str) -> dict:
    costs = costs_table()
    return {**costs["default"], **costs["tasks"].get(name, {})}


def step_tokens(step: Step) -> int:
    """Estimated sub-tokens the step processes (training: examples x tokens x epochs; eval: all languages)."""
    c = step.config
    if c.kind == "eval":
        info = _info(c.target)
        n = info["eval_examples"]
        if c.data.max_eval_examples:
            n = min(n, c.data.max_eval_examples)
        tokens = n * min(info["mean_tokens"], c.max_length) * info.get("choices", 1) * len(c.languages)
        return int(tokens * (2 if c.task_type == "retrieval" else 1))  # retrieval encodes both sides
    total = 0.0
    all_examples = sum(_info(t)["train_examples"] for t in c.tasks)
    for name in c.tasks:
        info = _info(name)
        n = info["train_examples"]
        if c.examples:
            n = min(n, c.examples * info["train_examples"] // all_examples)
        if c.data.max_train_examples:
            n = min(n, c.data.max_train_examples)
        passes = n * c.hyper.epochs
        if c.hyper.max_steps:  # a step cap (the fixed-steps arm) bounds the example passes
            passes = min(passes, c.hyper.max_steps * c.hyper.effective_batch * info["train_examples"] / all_examples)
        total += passes * min(info["mean_tokens"], c.hyper.max_length) * info.get("choices", 1)
    return int(total)


def parameters(model: str, kind: str = "parameters") -> int | None:
    """Parameter count of an encoder from _costs.yaml's models table (`kind`: 'parameters', all weights, or
    'non_embedding_parameters'); None when unknown."""
    models = costs_table().get("models", {})
    key = next((k for k in models if model == k or model.startswith(k)), None)
    return int(models[key][kind]) if key and kind in models[key] else None


def step_gpu_hours(step: Step) -> float:
    """Hours at the stated throughput, which is for one model (xlm-roberta-large): another encoder's hours are
    scaled by its non-embedding parameter count (6·N FLOPs per token, a first-order estimate the dry run states)."""
    throughput = costs_table()["throughput"]
    rate = throughput["eval_tokens_per_s" if step.kind == "eval" else "train_tokens_per_s"]
    have = parameters(step.meta.get("model") or "", "non_embedding_parameters")
    reference = parameters(throughput.get("model", ""), "non_embedding_parameters")
    return step_tokens(step) / rate / 3600 * (have / reference if have and reference else 1.0)


def optimizer_steps(step: Step) -> int:
    """Optimizer steps a training step takes: ceil(examples per epoch / effective batch) × epochs, capped by
    max_steps (a multi-task step reads min(n, K) examples of each task per epoch)."""
    import math

    c = step.config
    if c.kind == "eval":
        return 0
    all_examples = sum(_info(t)["train_examples"] for t in c.tasks)
    per_epoch = 0
    for name in c.tasks:
        n = _info(name)["train_examples"]
        if c.examples:
            n = min(n, max(1, c.examples * n // all_examples))
        if c.data.max_train_examples:
            n = min(n, c.data.max_train_examples)
        if c.mixing is not None and c.mixing.cap_examples:
            n = min(n, c.mixing.cap_examples)
        per_epoch += n
    steps = math.ceil(math.ceil(per_epoch / c.hyper.effective_batch) * c.hyper.epochs)
    return min(steps, c.hyper.max_steps) if c.hyper.max_steps else steps


def step_cost(step: Step) -> dict:
    """Seconds of GPU time by part (stated rates in _costs.yaml: step_costs): the token compute of the forward
    and backward passes, the optimizer's pass over every parameter each step plus a fixed per-step overhead, dev
    evaluations during training, checkpoint and model writes, and for an evaluation step its forward passes and
    model load. GPU-hours = the sum; the dry run shows it beside the token-priced estimate."""
    costs = costs_table()
    rates, throughput = costs["step_costs"], costs["throughput"]
    model = step.meta.get("model") or ""
    params = parameters(model) or parameters(throughput.get("model", "")) or 0
    scale = _compute_scale(model)
    c = step.config
    if c.kind == "eval":
        forward = step_tokens(step) / throughput["eval_tokens_per_s"] * scale
        load = params * DTYPE_BYTES.get("bfloat16", 2) / rates["storage_read_bytes_per_s"]
        parts = {"eval_forward_s": forward, "model_load_s": load}
    else:
        steps = optimizer_steps(step)
        compute = step_tokens(step) / throughput["train_tokens_per_s"] * scale
        optimizer = steps * (params * rates["optimizer_bytes_per_parameter"] / rates["hbm_bytes_per_s"]
                             + rates["step_overhead_s"])
        evals = 0
        if c.hyper.selection == "best_dev" and c.dev_inputs:
            every = c.hyper.eval_every or max(1, steps // max(1, int(c.hyper.epochs)))
            evals = max(1, steps // every)
        dev_tokens = sum(min(c.hyper.dev_examples or _info(t).get("eval_examples", 2000), 2000)
                         * min(_info(t)["mean_tokens"], c.hyper.max_length) * _info(t).get("choices", 1)
                         for t in c.dev_inputs)
        dev = evals * dev_tokens / throughput["eval_tokens_per_s"] * scale
        checkpoints = steps // max(1, c.hyper.checkpoint_every)
        model_bytes = params * DTYPE_BYTES[c.checkpoint_dtype]
        writes = (checkpoints * params * rates["checkpoint_bytes_per_parameter"]
                  + (evals + 1) * model_bytes)  # resumable checkpoints; best-model saves (at most one per eval)
        parts = {"optimizer_steps": steps, "compute_s": compute, "optimizer_s": optimizer, "dev_evaluations": evals,
                 "dev_eval_s": dev, "checkpoints": checkpoints,
                 "checkpoint_io_s": writes / rates["storage_write_bytes_per_s"]}
    seconds = sum(v for k, v in parts.items() if k.endswith("_s"))
    return {**{k: (round(v, 2) if k.endswith("_s") else v) for k, v in parts.items()},
            "gpu_hours": round(seconds / 3600, 4)}


def _compute_scale(model: str) -> float:
    throughput = costs_table()["throughput"]
    have = parameters(model, "non_embedding_parameters")
    reference = parameters(throughput.get("model", ""), "non_embedding_parameters")
    return have / reference if have and reference else 1.0


def model_parameters(plan: Plan) -> int | None:
    """Parameter count of the plan's (first) encoder."""
    from .plan import base_model_ref

    return parameters(base_model_ref(plan.experiment, plan.profile))


def disk_estimate(plan: Plan) -> dict:
    """Bytes on disk: what stays (intermediate encoders, fp32: they are trained further) and the peak while the
    local executor runs (kept models + the target models not yet pruned + one training step's checkpoints)."""
    params = model_parameters(plan)
    if params is None:
        return {"parameters": None, "kept_gb": None, "peak_gb": None,
                "note": "unknown parameter count for this model (add it to experiments/_costs.yaml)"}
    steps = list(plan.steps.values())
    size = {s.id: parameters(s.meta.get("model") or "") or params for s in steps}  # a models: axis mixes sizes
    params = max(size.values())
    kept = sum(4 * size[s.id] for s in steps if s.kind == "intermediate")
    target_models = [DTYPE_BYTES[s.config.checkpoint_dtype] * size[s.id] for s in steps if s.kind == "target"]
    # A two-phase target (SIQA then COPA) holds both models until its evaluation is done.
    alive = sum(sorted(target_models, reverse=True)[:2])
    training = (4 + OPTIMIZER_BYTES) * params * 2 + 4 * params  # two checkpoints while one replaces the other + best
    gb = 1e9
    return {"parameters": params, "kept_gb": round(kept / gb, 2), "peak_gb": round((kept + alive + training) / gb, 2),
            "unpruned_gb": round((kept + sum(target_models) + training) / gb, 2),
            "note": "intermediate models kept (fp32, reused); target models pruned once their evaluations are done"}


def plan_summary(plan: Plan, runs: Path) -> dict:
    """The dry-run report: every step with status, source and cost; totals with reuse; the naive alternative."""
    rows = []
    for step in plan.steps.values():
        rows.append({"id": step.id, "kind": step.kind, "label": step.label, "parents": step.parents,
                     "status": "done" if is_done(runs, step.id) else "pending", "sources": step_sources(step),
                     "tokens": step_tokens(step), "gpu_hours": step_gpu_hours(step),
                     "resolved": resolved_config(step), "step_cost": step_cost(step)})
    naive_tokens, naive_hours = 0, 0.0  # every (intermediate, target) pair re-runs its chain from the base model
    for ev in plan.evals():
        chain = ancestors(plan.steps, ev.id)
        naive_tokens += sum(step_tokens(plan.steps[s]) for s in chain)
        naive_hours += sum(step_gpu_hours(plan.steps[s]) for s in chain)
    pending = [r for r in rows if r["status"] == "pending"]
    throughput = costs_table()["throughput"]
    return {
        "experiment": plan.experiment.name, "profile": plan.profile.name, "fidelity": plan.profile.fidelity,
        "data_dir": str(plan.data_dir) if plan.data_dir else None, "local_only": plan.local_only,
        "unavailable": plan.unavailable, "steps": rows,
        "counts": {kind: sum(1 for r in rows if r["kind"] == kind) for kind in KINDS},
        "done": len(rows) - len(pending), "pending": len(pending),
        "tokens": sum(r["tokens"] for r in rows), "gpu_hours": round(sum(r["gpu_hours"] for r in rows), 2),
        "remaining_gpu_hours": round(sum(r["gpu_hours"] for r in pending), 2),
        "naive_tokens": naive_tokens, "naive_gpu_hours": round(naive_hours, 2),
        "reuse_ratio": round(naive_tokens / max(1, sum(r["tokens"] for r in rows)), 2),
        "optimizer_steps": sum(r["step_cost"].get("optimizer_steps", 0) for r in rows),
        "gpu_hours_by_steps": round(sum(r["step_cost"]["gpu_hours"] for r in rows), 2),
        "gpu_hours_by_steps_parts": _cost_parts(rows),
        "step_cost_basis": costs_table()["step_costs"]["basis"],
        "throughput": {k: throughput[k] for k in ("device", "train_tokens_per_s", "eval_tokens_per_s", "basis")},
        "disk": disk_estimate(plan),
        "arms": arm_costs(rows, plan),
        "sources": source_counts(plan),
        "departures": [d.model_dump() for d in plan.experiment.departures],
        "published_baseline": plan.experiment.published_baseline.model_dump()
        if plan.experiment.published_baseline else None,
    }


def resolved_config(step: Step) -> dict:
    """What a step will do, in the terms a paper's appendix uses, so fidelity can be audited from the plan."""
    c = step.config
    if c.kind == "eval":
        out = {"target": c.target, "split": c.split, "languages": len(c.languages), "max_length": c.max_length,
               "metrics": list(c.metrics)}
        if c.retrieval_layer is not None:
            out["layer"] = c.retrieval_layer
        if c.metrics and c.metrics[0] == "bucc_f1":
            out["threshold"] = ("dev split's best-F1 threshold applied" if c.threshold_inputs else
                                "best-F1 threshold tuned on this split")
        return out
    h = c.hyper
    out = {"tasks": list(c.tasks), "examples": c.examples or "full", "learning_rate": h.learning_rate,
           "batch_size": h.effective_batch, "micro_batch": h.batch_size, "epochs": h.epochs,
           "max_steps": h.max_steps, "optimizer_steps": optimizer_steps(step), "warmup_ratio": h.warmup_ratio,
           "max_length": h.max_length, "selection": h.selection}
    if h.selection == "best_dev":
        out.update(dev_examples=h.dev_examples or "all", dev_subset=h.dev_subset, eval_every=h.eval_every or "epoch",
                   patience=h.patience)
    if c.mixing is not None:
        out["mixing"] = {"sampling": c.mixing.sampling, "cap_examples": c.mixing.cap_examples,
                         "missing": dict(c.mixing.missing)}
    return out


def _cost_parts(rows: list[dict]) -> dict:
    """GPU-hours of the step-priced model by part, over the plan."""
    keys = ("compute_s", "optimizer_s", "dev_eval_s", "checkpoint_io_s", "eval_forward_s", "model_load_s")
    return {k[:-2]: round(sum(r["step_cost"].get(k, 0.0) for r in rows) / 3600, 2) for k in keys}


def arm_costs(rows: list[dict], plan: Plan) -> list[dict]:
    """Per (model, arm): steps, tokens and GPU-hours of the plan-summary rows, sorted; every step counted once."""
    arms: dict[tuple[str, str], dict] = {}
    for row in rows:
        meta = plan.steps[row["id"]].meta
        model, arm = meta.get("model") or "", meta.get("intermediate") or "baseline"
        a = arms.setdefault((model, arm), {"model": model, "arm": arm, "steps": 0, "tokens": 0, "gpu_hours": 0.0,
                                           "optimizer_steps": 0, "gpu_hours_by_steps": 0.0})
        a["steps"] += 1
        a["tokens"] += row["tokens"]
        a["gpu_hours"] += row["gpu_hours"]
        a["optimizer_steps"] += row["step_cost"].get("optimizer_steps", 0)
        a["gpu_hours_by_steps"] += row["step_cost"]["gpu_hours"]
    return [a for _, a in sorted(arms.items())]


def model_totals(arms: list[dict]) -> list[dict]:
    """Per model: steps, tokens and GPU-hours over its arms."""
    totals: dict[str, dict] = {}
    for a in arms:
        t = totals.setdefault(a["model"], {"model": a["model"], "steps": 0, "tokens": 0, "gpu_hours": 0.0,
                                           "optimizer_steps": 0, "gpu_hours_by_steps": 0.0})
        for key in ("steps", "tokens", "gpu_hours", "optimizer_steps", "gpu_hours_by_steps"):
            t[key] += a.get(key, 0)
    return list(totals.values())


def step_sources(step: Step) -> list[str]:
    """One line per data source the step reads ('sst2 train: local sst2/train.jsonl')."""
    c = step.config
    if c.kind == "eval":
        return [f"{c.target} {lang}: {ref.describe()}" for lang, ref in c.inputs.items()]
    lines = [f"{task} train: {ref.describe()}" for task, refs in c.train_inputs.items() for ref in refs]
    lines += [f"{task} dev: {ref.describe()}" for task, refs in c.dev_inputs.items() for ref in refs]
    return lines


def source_counts(plan: Plan) -> dict:
    """How many (task, split) inputs come from local files, the pinned Hub, the unpinned Hub; and fallbacks."""
    refs = []
    for step in plan.steps.values():
        c = step.config
        refs += list(c.inputs.values()) if c.kind == "eval" else [
            r for group in (c.train_inputs, c.dev_inputs) for rs in group.values() for r in rs]
    unique = {(r.task, r.split): r for r in refs}.values()
    return {"local": sum(r.source == "local" for r in unique),
            "hub_pinned": sum(r.source == "hub" and r.pinned for r in unique),
            "hub_unpinned": sum(r.source == "hub" and not r.pinned for r in unique),
            "split_fallbacks": sorted(f"{r.task}: {r.requested} -> {r.split} ({r.fallback})"
                                      for r in unique if r.fallback)}
