"""The scaling study's design (experiments/scaling.yaml) holds by construction, the checker flags each way a grid
can fail to answer the question, and the step-priced cost model counts what a plan really spends."""

from __future__ import annotations

import pytest

from synth.replicate.experiments import Experiment, load_experiment
from synth.replicate.pipeline.costs import optimizer_steps, plan_summary, step_cost
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.study.design import validate_design


@pytest.fixture(scope="module")
def scaling():
    return load_experiment("scaling")


@pytest.fixture(scope="module")
def scaling_plan(scaling):
    return build_plan(scaling, "paper", only=["panx_r"])


def test_scaling_design_holds(scaling):
    assert validate_design(scaling) == []
    d = scaling.design
    assert len(scaling.seeds) >= 5 and len(scaling.models) >= 3
    assert {m: scaling.per_model[m].learning_rate for m in scaling.models} == {
        "xlm-roberta-base": 2e-5, "xlm-roberta-large": 1e-5, "facebook/xlm-roberta-xl": 5e-6}
    assert len(scaling.intermediate_examples) >= d.min_curve_volumes == 7
    assert d.primary.name == "panx_r: slope low_resource - high_resource" and d.primary.arm == "equal_steps"
    assert d.volume_by_size == ("facebook/xlm-roberta-xl", "xlm-roberta-base")
    assert not set(d.language_groups["low_resource"]) & set(d.language_groups["high_resource"])


def test_primary_arm_trains_every_volume_the_same_steps_and_keeps_the_final_weights(scaling, scaling_plan):
    inter = [s for s in scaling_plan.steps.values() if s.kind == "intermediate"]
    equal = [s for s in inter if s.meta["intermediate"] == "mnli@2000steps"]
    assert len(equal) == 9 * 5 * 3  # volumes x seeds x models
    assert {optimizer_steps(s) for s in equal} == {2000}
    assert all(s.config.hyper.selection == "final" for s in scaling_plan.steps.values() if s.kind != "eval")
    lrs = {(s.meta["model"], s.config.hyper.learning_rate) for s in inter}
    assert lrs == {("xlm-roberta-base", 2e-5), ("xlm-roberta-large", 1e-5), ("facebook/xlm-roberta-xl", 5e-6)}
    epochs_arm = {s.config.examples: optimizer_steps(s) for s in inter
                  if s.meta["intermediate"] == "mnli" and s.meta["model"] == "xlm-roberta-base" and s.config.seed == 0}
    assert epochs_arm[64000] == 6000 and epochs_arm[250] == 24  # the secondary arm: 3 epochs each


@pytest.mark.parametrize("change, problem", [
    ({"seeds": [0, 1, 2]}, "3 seeds; the design needs at least 5"),
    ({"models": ["xlm-roberta-base", "xlm-roberta-large"]}, "2 model size(s)"),
    ({"per_model": {}}, "no learning rate of its own"),
    ({"fixed_steps": None}, "no equal-steps arm"),
    ({"intermediate_examples": [250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, "full"]}, "'full' is not a volume"),
    ({"intermediate_examples": [250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 128000]}, "exceed the 64,000 examples"),
    ({"intermediate_examples": [1000, 3000, 10000, 30000, 60000]}, "5 volumes; curve shapes"),
    ({"intermediate": {"epochs": 3}}, "intermediate selection is best_dev"),
    ({"targets": ["udpos_r", "tatoeba_r"]}, "target 'panx_r' is not in targets"),
])
def test_each_design_failure_is_named(scaling, change, problem):
    broken = Experiment.model_validate({**scaling.model_dump(), **change})
    assert any(problem in p for p in validate_design(broken)), validate_design(broken)


def test_overlapping_or_unknown_language_groups_are_named(scaling):
    data = scaling.model_dump()
    data["design"]["language_groups"]["high_resource"] = ["de", "sw", "xx"]
    broken = Experiment.model_validate(data)
    problems = validate_design(broken)
    assert "language group high_resource: unknown language 'xx'" in problems
    assert "language 'sw' is in both low_resource and high_resource" in problems


def test_step_priced_cost_counts_optimizer_passes_evaluations_and_checkpoints(scaling_plan):
    equal = [s for s in scaling_plan.steps.values() if s.meta.get("intermediate") == "mnli@2000steps"
             and s.kind == "intermediate" and s.config.seed == 0]
    costs = {(s.meta["model"], s.config.examples): step_cost(s) for s in equal}
    base, xl = costs[("xlm-roberta-base", 250)], costs[("facebook/xlm-roberta-xl", 250)]
    assert base["optimizer_steps"] == 2000 and base["dev_evaluations"] == 0  # final weights: no dev scoring
    assert base["checkpoints"] == 2000 // 1000
    assert xl["optimizer_s"] > 5 * base["optimizer_s"] and xl["checkpoint_io_s"] > 10 * base["checkpoint_io_s"]
    # equal steps, more examples per step cost the same optimizer time at every volume
    assert costs[("xlm-roberta-base", 64000)]["optimizer_s"] == base["optimizer_s"]
    summary = plan_summary(scaling_plan, "/nonexistent")
    parts = summary["gpu_hours_by_steps_parts"]
    assert summary["gpu_hours_by_steps"] == pytest.approx(sum(parts.values()), abs=0.05)
    assert parts["optimizer"] > 0 and parts["checkpoint_io"] > 0 and "stated" in summary["step_cost_basis"]


def test_dev_evaluations_are_priced_when_a_phase_selects_on_dev():
    plan = build_plan("xstilts", "paper", only=["xnli"])
    target = next(s for s in plan.steps.values() if s.kind == "target" and s.meta["intermediate"] == "mnli")
    cost = step_cost(target)
    assert cost["dev_evaluations"] == optimizer_steps(target) // 1000 and cost["dev_eval_s"] > 0


def test_pilot_v2_is_the_design_at_cpu_scale():
    exp = load_experiment("pilot_v2")
    assert validate_design(exp) == []
    plan = build_plan(exp, "tiny")  # bundled fixtures: the plan's shape, not its data
    inter = [s for s in plan.steps.values() if s.kind == "intermediate"]
    assert {s.meta["intermediate"] for s in inter} == {"sst2@313steps"}  # no epoch arm
    assert len(inter) == 5 * 5 and {optimizer_steps(s) for s in inter} == {313}
    assert {s.config.hyper.selection for s in inter} == {"final"}
    assert len(plan.evals()) == 5 * 5 + 1  # the untouched encoder serves every seed
    groups = exp.design.language_groups
    assert {tuple(s.config.languages) for s in plan.evals()} == {("ar", "az", "de")}  # tiny: the first 3 of them
    cpu = build_plan(exp, "cpu", max_languages=0)  # no data folder: XTREME-R's added az, pl have no Hub source
    fixed = sorted(groups["low_resource"] + groups["high_resource"])
    assert {tuple(s.config.languages) for s in cpu.evals()} == {tuple(x for x in fixed if x not in ("az", "pl"))}


def test_five_volumes_are_allowed_only_when_curves_are_not_compared():
    data = load_experiment("pilot_v2").model_dump()
    assert validate_design(Experiment.model_validate(data)) == []
    data["design"]["compare_curves"] = True
    assert "5 volumes; curve shapes are compared only with at least 7" in validate_design(
        Experiment.model_validate(data))


def test_eval_languages_the_task_lacks_are_a_config_error():
    from synth.core.errors import ConfigError

    data = load_experiment("pilot_v2").model_dump()
    data["eval_languages"] = {"tatoeba_r": ["de", "xx"]}
    with pytest.raises(ConfigError, match="eval_languages of tatoeba_r names language\\(s\\) the task does not have: xx"):
        build_plan(Experiment.model_validate(data), "tiny")
