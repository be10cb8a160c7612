"""Tagging, span QA and multiple choice (with a two-phase target) through the tiny pipeline, and their
leaderboard-layout prediction files."""

from __future__ import annotations

import json

from synth.replicate.pipeline.executors import execute
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.results import read_results

from .conftest import DATA


def test_tagging_qa_and_multiple_choice_targets(run_settings):
    runs = run_settings.runs
    plan = build_plan(str(DATA / "types.yaml"), "tiny")
    xcopa = next(s for s in plan.evals() if s.meta["target"] == "xcopa")
    copa = plan.steps[xcopa.parents[0]]
    assert copa.config.task == "copa" and plan.steps[copa.parents[0]].config.task == "siqa"  # SIQA then COPA
    report = execute(plan, runs, run_settings, progress=False)
    assert report.ok, report.failed
    docs = {d.target: d for d in map(read_results, runs.glob("eval-*/results.json"))}
    assert set(docs) == {"panx", "xquad", "xcopa"}

    panx = docs["panx"]
    assert panx.metric == "span_f1" and len(panx.score) == 3
    sentences = (runs / panx.step_id / "predictions" / "panx" / f"test-{next(iter(panx.score))}.tsv").read_text()
    blocks = [b.split("\n") for b in sentences.strip("\n").split("\n\n")]
    assert all(tag in {"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"} for b in blocks for tag in b)

    xquad = docs["xquad"]
    lang = next(iter(xquad.score))
    assert set(xquad.per_language[lang]) == {"squad_f1", "squad_em"}
    qa_mean = (xquad.per_language[lang]["squad_f1"] + xquad.per_language[lang]["squad_em"]) / 2
    assert abs(xquad.score[lang] - qa_mean) < 1e-3  # both sides rounded to 4 places
    answers = json.loads((runs / xquad.step_id / "predictions" / "xquad" / f"test-{lang}.json").read_text())
    assert answers and all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items())

    xcopa_doc = docs["xcopa"]
    lines = (runs / xcopa_doc.step_id / "predictions" / "xcopa" / f"test-{next(iter(xcopa_doc.score))}.tsv")
    assert set(lines.read_text().split()) <= {"0", "1"}
