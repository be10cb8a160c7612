"""The same step DAG on a local Ray instance (CPU-only tasks); skipped cleanly when Ray is not installed."""

from __future__ import annotations

import pytest

from synth.replicate.pipeline.executors import execute
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.results import read_results

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance for the module (starting Ray costs seconds); the executor reuses it."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_executor_runs_the_dag_with_dependencies(local_ray, run_settings, mini_experiment):
    plan = build_plan(str(mini_experiment), "tiny", only=["baseline"])
    plan.steps = {k: v for k, v in plan.steps.items() if v.meta.get("target") == "xnli"}
    assert [s.kind for s in plan.steps.values()] == ["target", "eval"]
    report = execute(plan, run_settings.runs, run_settings, executor="ray")
    assert report.ok, report.failed
    assert report.ran == list(plan.steps)  # the eval waited for its parent's object ref
    ev = plan.evals()[0]
    doc = read_results(run_settings.runs / ev.id / "results.json")
    assert doc.target == "xnli" and doc.intermediate is None and len(doc.score) == 3
    assert ray.is_initialized()  # an instance the caller started is left running
    again = execute(plan, run_settings.runs, run_settings, executor="ray")
    assert again.ran == [] and again.cached == list(plan.steps)


def test_ray_executor_reports_a_failed_step_and_skips_its_children(local_ray, run_settings, mini_experiment):
    plan = build_plan(str(mini_experiment), "tiny", only=["baseline"])
    plan.steps = {k: v for k, v in plan.steps.items() if v.meta.get("target") == "xnli"}
    target = next(s for s in plan.steps.values() if s.kind == "target")
    target.config.tasks = ["no_such_task"]  # fails inside the Ray worker with a typed error
    report = execute(plan, run_settings.runs, run_settings, executor="ray")
    assert list(report.failed) == [target.id] and "unknown task 'no_such_task'" in report.failed[target.id]
    assert report.skipped == [plan.evals()[0].id]
