"""Disk: target models are deleted once their evaluations are done (intermediates are kept: every target reuses
them), and a later plan that needs a pruned model retrains it."""

from __future__ import annotations

from synth.replicate.pipeline.executors import execute
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.pruning import is_pruned
from synth.replicate.pipeline.results import read_results


def test_targets_pruned_after_evaluation_and_revived_when_needed(run_settings, mini_experiment):
    runs = run_settings.runs
    plan = build_plan(str(mini_experiment), "tiny", only=["xnli"])
    report = execute(plan, runs, run_settings, progress=False, prune=True)
    assert report.ok, report.failed
    targets = [s for s in plan.steps.values() if s.kind == "target"]
    inter = next(s for s in plan.steps.values() if s.kind == "intermediate")
    assert targets and all(is_pruned(runs, s.id) and not (runs / s.id / "model").exists() for s in targets)
    assert (runs / inter.id / "model" / "model.json").exists() and not is_pruned(runs, inter.id)
    assert all((runs / s.id / "DONE").exists() and (runs / s.id / "train_log.jsonl").exists() for s in targets)

    wider = build_plan(str(mini_experiment), "tiny", only=["xnli"], max_languages=4)  # a new evaluation
    again = execute(wider, runs, run_settings, progress=False, prune=False)
    assert again.ok, again.failed
    assert sorted(s for s in again.ran if s.startswith("target-")) == sorted(s.id for s in targets)  # retrained
    assert all((runs / s.id / "model" / "model.json").exists() for s in targets)
    docs = [read_results(runs / s.id / "results.json") for s in wider.evals()]
    assert all(len(d.score) == 4 for d in docs)
