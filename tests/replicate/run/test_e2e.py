"""The tiny profile end to end on CPU: intermediate -> target -> zero-shot on 3 languages, then cache reuse."""

from __future__ import annotations

import json

from synth.replicate.pipeline.executors import execute
from synth.replicate.pipeline.costs import plan_summary
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.results import read_results


def test_tiny_end_to_end_then_second_run_trains_nothing(run_settings, mini_experiment):
    runs = run_settings.runs
    plan = build_plan(str(mini_experiment), "tiny")
    kinds = sorted(s.kind for s in plan.steps.values())
    # baseline: target(mnli) + eval xnli + eval tatoeba; mnli: intermediate + target(mnli) + 2 evals
    assert kinds == ["eval"] * 4 + ["intermediate"] + ["target"] * 2

    report = execute(plan, runs, run_settings, progress=False)
    assert report.ok, report.failed
    assert sorted(report.ran) == sorted(plan.steps) and report.cached == []

    docs = {(d.target, d.intermediate): d for d in map(read_results, runs.glob("eval-*/results.json"))}
    assert set(docs) == {("xnli", None), ("xnli", "mnli"), ("tatoeba", None), ("tatoeba", "mnli")}
    xnli = docs[("xnli", "mnli")]
    assert xnli.profile == "tiny" and xnli.fidelity == "pipeline-check" and xnli.metric == "accuracy"
    assert list(xnli.score) == ["ar", "bg", "de"]  # the tiny profile evaluates 3 languages
    assert xnli.task_score == round(sum(xnli.score.values()) / 3, 4)
    assert all(0 <= v <= 100 for v in xnli.score.values())
    assert xnli.model.startswith("tiny-xlmr@") and xnli.versions["torch"]
    # the document records every ancestor's resolved config: intermediate mnli and the target phase
    kinds = sorted(a["kind"] for a in xnli.config["ancestors"].values())
    assert kinds == ["intermediate", "target"]
    # predictions in the xtreme leaderboard layout: one label per line, one file per language
    lines = (runs / xnli.step_id / "predictions" / "xnli" / "test-de.tsv").read_text().splitlines()
    assert len(lines) == 8 and set(lines) <= {"entailment", "neutral", "contradiction"}
    tatoeba = docs[("tatoeba", "mnli")]
    nearest = (runs / tatoeba.step_id / "predictions" / "tatoeba" / "test-af.tsv").read_text().split()
    assert all(n.isdigit() for n in nearest)
    # the retrieval target hangs directly off the intermediate step (no target training)
    tatoeba_step = plan.steps[tatoeba.step_id]
    assert [plan.steps[p].kind for p in tatoeba_step.parents] == ["intermediate"]
    # the intermediate checkpoint is trained once and shared by both targets
    inter = next(s for s in plan.steps.values() if s.kind == "intermediate")
    children = [s for s in plan.steps.values() if inter.id in s.parents]
    assert len(children) == 2
    summary = json.loads((runs / inter.id / "train_summary.json").read_text())
    assert summary["steps"] == summary["total_steps"] > 0 and 0 < summary["padding_efficiency"] <= 1
    assert not (runs / inter.id / "checkpoints").exists()  # resumable state is dropped once complete
    assert (runs / inter.id / "model" / "model.json").exists() and not (runs / inter.id / "best").exists()  # one copy
    log = [json.loads(line) for line in (runs / inter.id / "train_log.jsonl").read_text().splitlines()]
    assert log[0]["event"] == "start" and log[-1]["event"] == "done"

    stamps = {p: p.stat().st_mtime_ns for p in runs.glob("*/DONE")}
    again = execute(build_plan(str(mini_experiment), "tiny"), runs, run_settings, progress=False)
    assert again.ran == [] and sorted(again.cached) == sorted(plan.steps)
    assert {p: p.stat().st_mtime_ns for p in runs.glob("*/DONE")} == stamps
    assert plan_summary(plan, runs)["pending"] == 0

    # the CLI sees the same state: everything done, and one results row per evaluation
    from typer.testing import CliRunner

    from synth.cli.app import app

    runner = CliRunner()
    plan_json = runner.invoke(app, ["--json", "replicate", "run", str(mini_experiment), "--profile", "tiny",
                                    "--dry-run", "--runs", str(runs)])
    assert plan_json.exit_code == 0 and json.loads(plan_json.stdout)["pending"] == 0
    rerun = runner.invoke(app, ["--json", "replicate", "run", str(mini_experiment), "--profile", "tiny",
                                "--runs", str(runs)])
    assert rerun.exit_code == 0 and json.loads(rerun.stdout)["ran"] == []
    listing = runner.invoke(app, ["--json", "replicate", "results", "mini", "--runs", str(runs)])
    rows = json.loads(listing.stdout)
    assert len(rows) == 4 and {r["intermediate"] for r in rows} == {"baseline", "mnli"}
    assert all(r["fidelity"] == "pipeline-check" for r in rows)
