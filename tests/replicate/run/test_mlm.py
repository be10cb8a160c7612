"""Masked-LM co-training (X-STILTs section 6, claim c06): the '+mlm' arms in the plan, static 15% masking, and a
tiny end-to-end run whose intermediate step trains the task and MLM on one encoder."""

from __future__ import annotations

import json

from synth.replicate.experiments import Experiment
from synth.replicate.pipeline.executors import execute
from synth.replicate.pipeline.plan import build_plan


def _experiment() -> Experiment:
    return Experiment(name="mlm", description="d", benchmark="xtreme", intermediates=["mnli"], baseline=False,
                      targets=["xnli"], mlm={"corpus": "mlm_corpus", "intermediates": ["mnli"]},
                      per_task={"mnli": {"epochs": 2}})


def test_each_listed_intermediate_gets_a_plus_mlm_arm_with_its_own_recipe(settings):
    plan = build_plan(_experiment(), "paper", data_dir=__import__("synth.replicate.data.loading",
                                                                   fromlist=["x"]).fixtures_dir())
    inter = {s.meta["intermediate"]: s.config for s in plan.steps.values() if s.kind == "intermediate"}
    assert set(inter) == {"mnli", "mnli+mlm"}
    assert inter["mnli+mlm"].tasks == ["mnli", "mlm_corpus"] and inter["mnli+mlm"].hyper.epochs == 2
    assert inter["mnli+mlm"].dev_inputs.keys() == {"mnli"}  # MLM has no dev set: selection stays on the task


def test_masking_is_fifteen_percent_of_ordinary_tokens_and_static(tiny_model):
    from datasets import Dataset

    from synth.replicate.data.featurize import featurize
    from synth.replicate.training.model import load_tokenizer

    tokenizer = load_tokenizer(tiny_model)
    text = " ".join(["The cat sees the river and the teacher finds a guitar."] * 6)
    rows = Dataset.from_list([{"text": f"{text} {i}", "language": "en"} for i in range(40)])
    first = featurize("mlm_corpus", rows, tokenizer, max_length=128)
    again = featurize("mlm_corpus", rows, tokenizer, max_length=128)
    assert first["input_ids"] == again["input_ids"] and first["labels"] == again["labels"]
    special = set(tokenizer.all_special_ids)
    chosen = total = 0
    for ids, labels, original in zip(first["input_ids"], first["labels"],
                                     tokenizer(list(rows["text"]), truncation=True, max_length=128)["input_ids"]):
        for token, label, orig in zip(ids, labels, original):
            if orig in special:
                assert label == -100 and token == orig
                continue
            total += 1
            if label != -100:
                chosen += 1
                assert label == orig
            else:
                assert token == orig
    assert 0.11 < chosen / total < 0.19


def test_mlm_arm_trains_end_to_end_and_only_the_encoder_moves_on(run_settings):
    plan = build_plan(_experiment(), "tiny")
    report = execute(plan, run_settings.runs, run_settings, progress=False)
    assert report.ok, report.failed
    step = next(s for s in plan.steps.values() if s.meta.get("intermediate") == "mnli+mlm" and s.kind == "intermediate")
    info = json.loads((run_settings.runs / step.id / "model" / "model.json").read_text())
    assert set(info["multitask"]) == {"mnli", "mlm_corpus"} and info["multitask"]["mlm_corpus"]["task_type"] == "mlm"
    evals = [s for s in plan.evals() if s.meta["intermediate"] == "mnli+mlm"]
    assert evals and all((run_settings.runs / s.id / "results.json").exists() for s in evals)
