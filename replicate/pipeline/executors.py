"""Executors: the same step DAG runs in-process (`local`, sequential) or as Ray tasks (`ray`).

Both skip finished steps, run a step only after its parents, report each failure, and skip (not fail) the
steps below a failed one. Results land in the shared runs folder either way. With pruning on (the paper
profile), a target model is deleted once every evaluation below it in the plan is done; a later plan that
needs it again retrains it (the step's id, log and summary stay).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from synth.core.errors import ReplicationError, UsageError

from .plan import Plan, Step, is_done
from .pruning import prune_finished_targets, revive_pruned_parents


@dataclass
class RunReport:
    """What an execution did: steps found done, steps run now, failures (id -> message), skipped steps."""

    cached: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped

    def as_dict(self) -> dict:
        return {"cached": self.cached, "ran": self.ran, "failed": self.failed, "skipped": self.skipped}


def run_local(plan: Plan, runs: Path, settings, *, progress: bool = True,
              on_event: Callable[[str, Step], None] | None = None, prune: bool = False) -> RunReport:
    """Run the plan's pending steps in order in this process."""
    from .steps import run_step

    report = RunReport()
    broken: set[str] = set()
    revive_pruned_parents(plan, runs)
    for step in plan.steps.values():
        if is_done(runs, step.id):
            report.cached.append(step.id)
            continue
        if broken & set(step.parents):
            report.skipped.append(step.id)
            broken.add(step.id)
            continue
        if on_event:
            on_event("start", step)

        def waiting(holder: str, step=step) -> None:
            if on_event:
                on_event("wait", step)

        try:
            outcome = run_step(step, runs, settings, progress=progress, on_wait=waiting)
        except Exception as exc:  # noqa: BLE001  one broken step must not stop the independent ones
            report.failed[step.id] = str(exc) if isinstance(exc, ReplicationError) else f"{type(exc).__name__}: {exc}"
            broken.add(step.id)
            if on_event:
                on_event("failed", step)
            continue
        (report.cached if outcome == "cached" else report.ran).append(step.id)
        if on_event:
            on_event("done" if outcome == "ran" else "cached", step)
        if step.kind == "eval" and prune:
            prune_finished_targets(plan, runs, step.id)
    return report


def _ray_step(step_fields: dict, runs: str, settings_fields: dict, progress: bool, *parents: str) -> str:
    """Body of one Ray task: rebuild the step and settings in the worker and run it."""
    from synth.core.settings import Settings

    from .steps import run_step

    step = Step.from_json(step_fields)
    run_step(step, Path(runs), Settings(**settings_fields), progress=progress)
    return step.id


def run_ray(plan: Plan, runs: Path, settings, *, address: str | None = None, num_cpus: int | None = None,
            progress: bool = False, prune: bool = False) -> RunReport:
    """Submit every pending step as a Ray task (dependencies as object refs) and wait for all of them.

    Training steps ask for one GPU when the cluster has GPUs; evaluations a quarter of one. `address=None`
    starts a local Ray instance.
    """
    try:
        import ray
    except ImportError as exc:
        raise UsageError("--executor ray needs Ray", hint="pip install 'synth[ray]'") from exc
    from ray.exceptions import RayTaskError

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, num_cpus=num_cpus if address is None else None, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    try:
        gpus = ray.cluster_resources().get("GPU", 0) > 0
        remote = ray.remote(max_retries=0)(_ray_step)
        settings_fields = settings.model_dump(mode="json")
        report, refs = RunReport(), {}
        revive_pruned_parents(plan, runs)
        for step in plan.steps.values():
            if is_done(runs, step.id):
                report.cached.append(step.id)
                continue
            resources = {"num_cpus": 1, "num_gpus": (1 if step.kind != "eval" else 0.25) if gpus else 0}
            fields = step.as_json()
            parent_refs = [refs[p] for p in step.parents if p in refs]
            refs[step.id] = remote.options(name=step.id, **resources).remote(
                fields, str(runs), settings_fields, progress, *parent_refs)
        for step_id, ref in refs.items():
            try:
                ray.get(ref)
                report.ran.append(step_id)
            except RayTaskError as exc:
                cause = exc.cause if isinstance(exc.cause, BaseException) else exc
                if isinstance(cause, RayTaskError) or _failed_upstream(plan, step_id, report):
                    report.skipped.append(step_id)  # a parent failed; Ray propagated its error
                else:
                    report.failed[step_id] = str(cause).strip().splitlines()[-1] if str(cause).strip() else repr(cause)
        if prune:
            for step_id in report.ran:
                if plan.steps[step_id].kind == "eval":
                    prune_finished_targets(plan, runs, step_id)
        return report
    finally:
        if started_here:
            ray.shutdown()


def _failed_upstream(plan: Plan, step_id: str, report: RunReport) -> bool:
    return any(p in report.failed or p in report.skipped for p in plan.steps[step_id].parents)


def execute(plan: Plan, runs: Path, settings, *, executor: str = "local", address: str | None = None,
            progress: bool = True, on_event=None, prune: bool | None = None) -> RunReport:
    """Run a plan with the chosen executor ('local' or 'ray'); `prune` defaults to the profile's setting."""
    runs = Path(runs)
    runs.mkdir(parents=True, exist_ok=True)
    prune = plan.profile.prune_target_models if prune is None else prune
    if executor == "local":
        return run_local(plan, runs, settings, progress=progress, on_event=on_event, prune=prune)
    if executor == "ray":
        return run_ray(plan, runs, settings, address=address, prune=prune)
    raise UsageError(f"unknown executor {executor!r}", hint="local or ray")
