"""The X-STILTs recipe as published (paper appendix A, as transcribed in issue 22): every fidelity item checked on
the plan the paper profile builds, and the departures that remain are written in the experiment and shown in the
dry run."""

from __future__ import annotations

import json

import pytest

from synth.replicate.experiments import Experiment, load_experiment
from synth.replicate.pipeline.costs import plan_summary
from synth.replicate.pipeline.plan import build_plan

PAPER_INTERMEDIATES = {  # task: (batch size, epochs)
    "anli_plus": (24, 2), "ccg": (24, 15), "commonsenseqa": (4, 10), "cosmosqa": (4, 15), "hellaswag": (24, 7),
    "qqp": (24, 3), "squad_v1": (8, 3), "squad_v2": (8, 3),
}


@pytest.fixture(scope="module")
def paper_plan(tmp_path_factory):
    ccg = tmp_path_factory.mktemp("data") / "ccg"  # CCG is LDC-licensed: a local stand-in file makes it plannable
    ccg.mkdir()
    from synth.replicate.data.sources import fixtures_dir

    for split in ("train", "validation"):
        (ccg / f"{split}.jsonl").write_text((fixtures_dir() / "ccg" / f"{split}.jsonl").read_text())
    return build_plan("xstilts", "paper", data_dir=ccg.parent)


def _intermediate_hyper(plan) -> dict:
    return {s.config.task: s.config.hyper for s in plan.steps.values() if s.kind == "intermediate"}


def test_intermediate_batch_sizes_and_epochs_are_the_papers(paper_plan):
    hyper = _intermediate_hyper(paper_plan)
    for task, (batch, epochs) in PAPER_INTERMEDIATES.items():
        assert (hyper[task].effective_batch, hyper[task].epochs) == (batch, epochs), task
        assert hyper[task].learning_rate == 1e-5


def test_intermediate_early_stopping_reads_the_first_500_dev_examples(paper_plan):
    for task, h in _intermediate_hyper(paper_plan).items():
        assert (h.selection, h.dev_examples, h.dev_subset) == ("best_dev", 500, "first"), task


def test_first_dev_rows_are_the_splits_first_rows():
    from synth.replicate.data.loading import fixtures_dir, load_refs
    from synth.replicate.data.sources import resolve_split
    from synth.replicate.data.taskconfig import load_task

    task = load_task("mnli")
    refs = resolve_split(task, "validation", data_dir=fixtures_dir(), lock=None, local_only=True)
    in_file = list(load_refs(task, refs, fixtures_dir())["premise"])  # file order (after the task's row rules)
    assert list(load_refs(task, refs, fixtures_dir(), limit=5, take="first")["premise"]) == in_file[:5]
    sampled = list(load_refs(task, refs, fixtures_dir(), limit=5, seed=3)["premise"])
    assert sampled != in_file[:5]  # the stratified sample is not the file's first rows


def test_targets_train_at_3e_6_and_xnli_with_batch_4(paper_plan):
    targets = [s for s in paper_plan.steps.values() if s.kind == "target"]
    assert targets and all(s.config.hyper.learning_rate == 3e-6 for s in targets)
    xnli = {s.config.hyper.effective_batch for s in targets if s.meta["target"] == "xnli"}
    assert xnli == {4}
    assert {s.config.hyper.effective_batch for s in targets if s.meta["target"] == "pawsx"} == {32}


def test_retrieval_targets_pool_the_13th_layer(paper_plan):
    layers = {s.config.retrieval_layer for s in paper_plan.evals() if s.config.target in ("bucc2018", "tatoeba")}
    assert layers == {13}


def test_multitask_caps_each_task_at_2_17_and_leaves_squad_and_doubled_mnli_out(paper_plan):
    mt = next(s.config for s in paper_plan.steps.values()
              if s.kind == "intermediate" and s.meta["intermediate"] == "multitask")
    assert mt.tasks == ["anli_plus", "ccg", "commonsenseqa", "cosmosqa", "hellaswag", "qqp"]
    assert mt.mixing.cap_examples == 2 ** 17 and mt.mixing.missing == {}


def test_multitask_mixes_the_tasks_it_has_and_names_the_missing_one():
    plan = build_plan("xstilts", "paper")  # no CCG file anywhere: the LDC licence
    mt = next(s.config for s in plan.steps.values()
              if s.kind == "intermediate" and s.meta["intermediate"] == "multitask")
    assert "ccg" not in mt.tasks and len(mt.tasks) == 5
    assert "LDC" in mt.mixing.missing["ccg"]
    assert any(line.startswith("intermediate multitask: ccg left out of the mixture") for line in plan.unavailable)
    row = next(r for r in plan_summary(plan, "/nonexistent")["steps"] if r["id"] == step_id_of(plan, "multitask"))
    assert row["resolved"]["mixing"]["missing"].keys() == {"ccg"}


def step_id_of(plan, intermediate: str) -> str:
    return next(s.id for s in plan.steps.values() if s.kind == "intermediate" and s.meta["intermediate"] == intermediate)


def test_mixing_cap_draws_at_most_k_rows_per_task_and_a_fresh_sample_each_epoch():
    from synth.replicate.data.batching import length_grouped_batches

    groups = ["big"] * 100 + ["small"] * 10
    lengths = [5] * 110
    epochs = [length_grouped_batches(lengths, 4, seed=0, epoch=e, groups=groups, cap=20) for e in (0, 1)]
    for batches in epochs:
        rows = [i for b in batches for i in b]
        assert sum(groups[i] == "big" for i in rows) == 20 and sum(groups[i] == "small" for i in rows) == 10
        assert all(len({groups[i] for i in b}) == 1 for b in batches)  # single-task batches
    big = [{i for b in batches for i in b if groups[i] == "big"} for batches in epochs]
    assert big[0] != big[1]


def test_bucc_test_scores_apply_the_dev_threshold(paper_plan):
    bucc = [s.config for s in paper_plan.evals() if s.config.target == "bucc2018"]
    test = [c for c in bucc if c.split == "test"]
    dev = [c for c in bucc if c.split == "validation"]
    assert test and dev
    for c in test:
        assert set(c.threshold_inputs) == set(c.languages)
        assert {r.split for r in c.threshold_inputs.values()} == {"validation"}
    assert all(c.threshold_inputs == {} for c in dev)  # dev numbers tune on dev, as XTREME's


def test_bucc_scoring_uses_a_given_threshold():
    from synth.replicate.evaluation.metrics import bucc_mine, bucc_optimize_threshold

    candidates = [("a", "x", 2.0), ("b", "y", 1.5), ("c", "z", 1.1)]
    gold = [["a", "x"], ["b", "y"]]
    tuned = bucc_optimize_threshold(candidates, gold)
    assert {tuple(p) for p in bucc_mine(candidates, tuned)} == {("a", "x"), ("b", "y")}
    assert {tuple(p) for p in bucc_mine(candidates, 1.0)} == {("a", "x"), ("b", "y"), ("c", "z")}


def test_c05_baseline_and_every_departure_are_in_the_experiment_and_the_dry_run(paper_plan):
    exp = load_experiment("xstilts")
    assert set(exp.published_baseline.scores) == set(exp.targets)
    assert exp.published_baseline.split == "test" and "Hu et al." in exp.published_baseline.source
    whats = " | ".join(d.what for d in exp.departures)
    for item in ("MLM co-training", "c05", "CCG"):
        assert item in whats
    summary = plan_summary(paper_plan, "/nonexistent")
    assert [d["what"] for d in summary["departures"]] == [d.what for d in exp.departures]
    assert summary["published_baseline"]["scores"]["xnli"] == 79.2


def test_dry_run_json_shows_each_steps_resolved_configuration(settings):
    from typer.testing import CliRunner

    from synth.cli.app import app

    result = CliRunner().invoke(app, ["replicate", "run", "xstilts", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    train_keys = {"batch_size", "micro_batch", "epochs", "max_steps", "optimizer_steps", "learning_rate",
                  "max_length", "selection"}
    for row in summary["steps"]:
        r = row["resolved"]
        if row["kind"] == "eval":
            assert {"target", "split", "max_length"} <= set(r)
            assert ("layer" in r) == (r["target"] in ("bucc2018", "tatoeba"))
        else:
            assert train_keys <= set(r)
            assert ("mixing" in r) == (len(r["tasks"]) > 1)
    assert summary["departures"]


def test_final_checkpoint_rule_never_scores_dev(settings):
    from synth.replicate.pipeline.train_step import _selects_on_dev

    exp = Experiment(name="f", description="d", benchmark="xtreme", intermediates=["mnli"], baseline=False,
                     targets=["xnli"], intermediate={"selection": "final"})
    plan = build_plan(exp, "tiny")
    inter = next(s.config for s in plan.steps.values() if s.kind == "intermediate")
    target = next(s.config for s in plan.steps.values() if s.kind == "target")
    assert inter.hyper.selection == "final" and not _selects_on_dev(inter, "mnli")
    assert target.hyper.selection == "best_dev" and _selects_on_dev(target, "mnli")


def test_c05_headline_subtracts_the_published_baseline_after_choosing_on_dev():
    from synth.replicate.pipeline.results import ResultsDocument
    from synth.replicate.study.headline import headline_gap

    exp = load_experiment("xstilts")

    def doc(target, intermediate, split, score, seed=0):
        return ResultsDocument(step_id=f"eval-{target}-{intermediate}-{split}-{seed}", experiment="xstilts",
                               profile="paper", fidelity="paper", target=target, intermediate=intermediate, seed=seed,
                               model="xlm-roberta-large", metric="accuracy", split=split, per_language={},
                               score={"de": score}, task_score=score, config={}, versions={}, created="now")

    docs = [doc("xnli", "mnli", "validation", 82.0), doc("xnli", "squad_v1", "validation", 80.0),
            doc("xnli", "mnli", "test", 81.0), doc("xnli", "squad_v1", "test", 85.0),  # the test winner is not chosen
            doc("xnli", None, "test", 79.5),
            doc("pawsx", "squad_v1", "validation", 88.0), doc("pawsx", "squad_v1", "test", 87.0),
            doc("pawsx", "squad_v1", "test", 89.0, seed=1), doc("pawsx", None, "test", 86.0)]
    gap = headline_gap(docs, exp)
    assert gap.chosen == {"xnli": "mnli", "pawsx": "squad_v1"}
    assert gap.best_test == {"xnli": 81.0, "pawsx": 88.0}
    assert gap.gap_over_published == pytest.approx((81.0 + 88.0) / 2 - (79.2 + 86.4) / 2)
    assert gap.gap_over_own_baseline == pytest.approx((81.0 + 88.0) / 2 - (79.5 + 86.0) / 2)
    assert "udpos" in gap.missing


def test_mlm_co_training_has_its_own_experiment_with_a_plus_mlm_arm_per_intermediate():
    from synth.replicate.data.loading import fixtures_dir

    exp = load_experiment("xstilts_mlm")
    plan = build_plan(exp, "paper", data_dir=fixtures_dir())  # the fixtures hold a small mlm_corpus
    arms = {s.meta["intermediate"] for s in plan.steps.values() if s.kind == "intermediate"}
    assert {f"{t}+mlm" for t in exp.intermediates} <= arms and set(exp.intermediates) <= arms
    without = build_plan(exp, "paper")  # no corpus: the arms are left out and the plan says why
    assert not any(s.meta["intermediate"].endswith("+mlm") for s in without.steps.values() if s.kind == "intermediate")
    assert any("mlm_corpus" in line for line in without.unavailable)
    assert "MLM co-training (claim c06)" in [d.what for d in load_experiment("xstilts").departures]
