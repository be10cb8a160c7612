"""The data-volume design in the pipeline: min_steps, the fixed-steps arm, the models axis, explicit volumes
above the profile's size cap, and the dry run's cost per model and arm."""

from __future__ import annotations

from synth.replicate.experiments import Experiment
from synth.replicate.pipeline.plan import build_plan


def _experiment(**extra) -> Experiment:
    base = dict(name="design", description="d", benchmark="xtreme-r", intermediates=["sst2"], baseline=True,
                targets=["tatoeba_r"], intermediate_examples=[4, 8, 100], seeds=[0])
    return Experiment(**{**base, **extra})


def _intermediates(plan):
    return {(s.meta["intermediate"], s.config.examples): s.config for s in plan.steps.values()
            if s.kind == "intermediate"}


def test_min_steps_raise_the_epochs_of_small_volumes_only(settings):
    plan = build_plan(_experiment(intermediate={"min_steps": 30}), "tiny")
    steps = _intermediates(plan)
    # tiny profile: 20 epochs, 8 examples per optimizer step -> 30 steps need 240 example passes
    assert steps[("sst2", 4)].hyper.epochs == 60.0
    assert steps[("sst2", 8)].hyper.epochs == 30.0
    assert steps[("sst2", 100)].hyper.epochs == 20.0  # 20 epochs over 100 examples is already 250 steps
    assert all(c.hyper.max_steps is None for c in steps.values())


def test_unset_design_fields_leave_step_ids_unchanged(settings):
    plain = build_plan(_experiment(), "tiny")
    with_fields = build_plan(_experiment(models=[], fixed_steps=None), "tiny")
    assert list(plain.steps) == list(with_fields.steps)


def test_fixed_steps_arm_trains_every_volume_for_the_same_steps(settings):
    plan = build_plan(_experiment(fixed_steps=50), "tiny")
    fixed = {n: c for (arm, n), c in _intermediates(plan).items() if arm == "sst2@50steps"}
    assert set(fixed) == {4, 8, 100}
    for n, c in fixed.items():
        assert c.hyper.max_steps == 50 and c.hyper.epochs * n / c.hyper.effective_batch == 50
    evals = {s.meta["intermediate"] for s in plan.steps.values() if s.kind == "eval"}
    assert evals == {None, "sst2", "sst2@50steps"}


def test_explicit_volume_above_the_profile_cap_is_not_cut(settings):
    plan = build_plan(_experiment(), "tiny")  # tiny caps training sets at 48 examples
    steps = _intermediates(plan)
    assert steps[("sst2", 100)].data.max_train_examples is None
    assert steps[("sst2", 8)].data.max_train_examples == 48


def test_models_axis_runs_the_grid_per_model_and_the_dry_run_costs_each(settings):
    from synth.replicate.pipeline.costs import model_totals, plan_summary
    from synth.replicate.pipeline.profiles import load_profile

    paper_like = load_profile("tiny").model_copy(update={"model": None})
    plan = build_plan(_experiment(models=["xlm-roberta-base", "xlm-roberta-large"]), paper_like)
    bases = {s.config.base_model for s in plan.steps.values() if not s.parents}
    assert bases == {"xlm-roberta-base", "xlm-roberta-large"}
    summary = plan_summary(plan, settings.runs)
    arms = summary["arms"]
    assert {(a["model"], a["arm"]) for a in arms} == {(m, arm) for m in ("xlm-roberta-base", "xlm-roberta-large")
                                                      for arm in ("baseline", "sst2")}
    by = {(a["model"], a["arm"]): a for a in arms}
    base, large = by[("xlm-roberta-base", "sst2")], by[("xlm-roberta-large", "sst2")]
    assert base["tokens"] == large["tokens"] and 0 < base["gpu_hours"] < large["gpu_hours"]
    # one cost model everywhere: the plan's total is the sum over models, each scaled by its own size
    totals = {t["model"]: t["gpu_hours"] for t in model_totals(arms)}
    assert abs(sum(r["gpu_hours"] for r in summary["steps"]) - sum(totals.values())) < 1e-12
    assert summary["gpu_hours"] == round(sum(totals.values()), 2)
    # compute per token follows the non-embedding weights (6·N): base is 85.6M of large's 303.4M, not 278M of 560M
    assert abs(totals["xlm-roberta-base"] / totals["xlm-roberta-large"] - 85646592 / 303361024) < 1e-3
    intermediates = [s for s in plan.steps.values() if s.kind == "intermediate"]
    kept = sum(4 * (278043648 if s.meta["model"] == "xlm-roberta-base" else 559890432) for s in intermediates)
    assert summary["disk"]["kept_gb"] == round(kept / 1e9, 2)  # each kept model at its own size
