"""Replication verdict rules: fidelity, tolerance, seed t-interval, too few seeds, differences, missing data."""

from __future__ import annotations

import pytest

from synth.replicate.pipeline.results import ResultsDocument, write_results
from synth.verify.replication import judge_claim, t_interval
from synth.core.models import Claim, ExperimentLink

COUNTER = iter(range(10_000))


def _doc(runs, *, target="xnli", intermediate=None, seed=0, score=80.0, profile="paper", fidelity="paper",
         experiment="xstilts", languages=("de", "sw"), split="validation", paired_seeds=(), not_as_published=None):
    step = f"eval-{next(COUNTER):016x}"
    doc = ResultsDocument(
        step_id=step, experiment=experiment, profile=profile, fidelity=fidelity, target=target,
        intermediate=intermediate, seed=seed, model="xlm-roberta-large", metric="accuracy", split=split,
        paired_seeds=list(paired_seeds), not_as_published=not_as_published,
        per_language={lang: {"accuracy": score + i} for i, lang in enumerate(languages)},
        score={lang: score + i for i, lang in enumerate(languages)}, task_score=score + (len(languages) - 1) / 2,
        config={}, versions={}, created="2026-01-01T00:00:00+00:00")
    write_results(runs / step / "results.json", doc)


def _claim(**link) -> Claim:
    defaults = dict(experiment="xstilts", metric="xnli.accuracy", target="xnli", expected=80.5, tolerance=1.0)
    return Claim(id="2005.13013-c01", text="MNLI helps XNLI.", experiment=ExperimentLink(**{**defaults, **link}))


def test_claim_without_link_has_no_replication_verdict(tmp_path):
    assert judge_claim(Claim(id="x-c01", text="t"), tmp_path) is None


def test_no_results_is_inconclusive_and_says_so(tmp_path):
    v = judge_claim(_claim(), tmp_path / "runs")
    assert v.label == "inconclusive" and "no results for experiment 'xstilts'" in v.reason


def test_pipeline_check_runs_are_never_evidence(tmp_path):
    for seed in range(3):  # even a perfect match from the tiny profile stays inconclusive
        _doc(tmp_path, seed=seed, profile="tiny", fidelity="pipeline-check")
    v = judge_claim(_claim(), tmp_path)
    assert v.label == "inconclusive" and "pipeline check" in v.reason and "tiny" in v.reason


def test_within_tolerance_is_replicated(tmp_path):
    _doc(tmp_path, score=80.0)  # de 80, sw 81 -> 80.5
    v = judge_claim(_claim(expected=81.2, tolerance=1.0), tmp_path)
    assert v.label == "replicated" and v.measured == 80.5 and v.n == 1


def test_language_selection_changes_the_measured_value(tmp_path):
    _doc(tmp_path, score=80.0)
    v = judge_claim(_claim(languages=["sw"], expected=81.0, tolerance=0.1), tmp_path)
    assert v.label == "replicated" and v.measured == 81.0


def test_outside_tolerance_with_three_seeds_is_not_replicated(tmp_path):
    for seed, score in enumerate([75.0, 75.2, 74.8]):
        _doc(tmp_path, seed=seed, score=score)
    v = judge_claim(_claim(expected=80.5, tolerance=1.0), tmp_path)
    assert v.label == "not_replicated" and v.n == 3 and v.seeds == [0, 1, 2]


def test_expected_inside_the_seed_interval_is_replicated(tmp_path):
    for seed, score in enumerate([76.0, 82.0, 79.0]):  # mean 79.5 (+0.5 for the sw offset), wide spread
        _doc(tmp_path, seed=seed, score=score)
    mean, half, _ = t_interval([76.5, 82.5, 79.5])
    v = judge_claim(_claim(expected=mean + half - 0.1, tolerance=1.0), tmp_path)
    assert v.label == "replicated" and "seed interval" in v.reason


def test_one_seed_small_miss_is_inconclusive_large_miss_is_not_replicated(tmp_path):
    _doc(tmp_path, score=78.0)  # measured 78.5
    small = judge_claim(_claim(expected=80.5, tolerance=1.0), tmp_path)
    assert small.label == "inconclusive" and "1 seed(s) < 3" in small.reason
    large = judge_claim(_claim(expected=90.0, tolerance=1.0), tmp_path)
    assert large.label == "not_replicated"


def test_difference_to_baseline_pairs_seeds(tmp_path):
    for seed in range(3):
        _doc(tmp_path, seed=seed, score=80.0 + seed)
        _doc(tmp_path, seed=seed, intermediate="mnli", score=82.0 + seed)
    v = judge_claim(_claim(intermediate="mnli", comparison="mnli - baseline", expected=2.0, tolerance=0.5), tmp_path)
    assert v.label == "replicated" and v.values == [2.0, 2.0, 2.0]


def test_benchmark_average_needs_every_target(tmp_path):
    _doc(tmp_path, target="xnli", intermediate="mnli")
    v = judge_claim(_claim(metric="xtreme_avg", target=None, intermediate="mnli", comparison="value"), tmp_path)
    assert v.label == "inconclusive" and "lacks" in v.reason and "pawsx" in v.reason


def test_t_interval_matches_the_textbook_value():
    mean, half, sd = t_interval([1.0, 2.0, 3.0])
    assert mean == 2.0 and sd == 1.0 and half == pytest.approx(4.302653 / 3 ** 0.5, abs=1e-5)  # t(0.975, df=2) = 4.302653


def test_best_intermediate_per_target_minus_baseline(tmp_path):
    """The X-STILTs headline: per target the best intermediate task, averaged over targets, minus baseline."""
    targets = load_experiment_targets()
    for seed in range(3):
        for target in targets:
            _doc(tmp_path, target=target, seed=seed, score=70.0)
            _doc(tmp_path, target=target, seed=seed, intermediate="mnli", score=72.0 if target == "xnli" else 70.0)
            _doc(tmp_path, target=target, seed=seed, intermediate="squad_v1", score=70.0 if target == "xnli" else 76.0)
    # best: xnli from mnli (+2), the eight others from squad_v1 (+6) -> (2 + 8 * 6) / 9
    v = judge_claim(_claim(metric="xtreme_avg", target=None, comparison="best - baseline",
                           expected=50 / 9, tolerance=0.01), tmp_path)
    assert v.label == "replicated", v.reason
    assert v.measured == pytest.approx(50 / 9, abs=1e-3)


def load_experiment_targets():
    from synth.replicate.experiments import load_experiment

    return load_experiment("xstilts").targets


def test_test_set_claims_choose_on_dev_and_report_test(tmp_path):
    """'+5.4 on XTREME' is a test number: the best intermediate is chosen on dev, its test score is reported."""
    for seed in range(3):
        for split, mnli, qqp in (("validation", 71.0, 75.0), ("test", 79.0, 74.0)):
            _doc(tmp_path, split=split, seed=seed, score=70.0)
            _doc(tmp_path, split=split, seed=seed, intermediate="mnli", score=mnli)
            _doc(tmp_path, split=split, seed=seed, intermediate="qqp", score=qqp)
    v = judge_claim(_claim(comparison="best - baseline", expected=4.0, tolerance=0.1), tmp_path)
    # dev picks qqp (75 > 71); on test qqp is 74 -> +4.0 (mnli's +9 on test must not leak into the choice)
    assert v.label == "replicated" and v.values == [4.0, 4.0, 4.0], v.reason
    assert v.split == "test" and v.selected_on == "validation"
    assert "on test; best intermediate per target chosen on dev" in v.reason
    plain = judge_claim(_claim(intermediate="mnli", comparison="mnli - baseline", expected=9.0), tmp_path)
    assert plain.split == "test" and plain.selected_on is None and plain.measured == 9.0


def test_a_deterministic_baseline_pairs_with_every_seed(tmp_path):
    """Retrieval on the base model runs once for the grid; it still pairs with each intermediate seed."""
    _doc(tmp_path, target="tatoeba", score=50.0, paired_seeds=(0, 1, 2))
    for seed in range(3):
        _doc(tmp_path, target="tatoeba", seed=seed, intermediate="mnli", score=53.0 + seed)
    v = judge_claim(_claim(metric="tatoeba.accuracy", target="tatoeba", intermediate="mnli",
                           comparison="mnli - baseline", expected=4.0, tolerance=1.5), tmp_path)
    assert v.seeds == [0, 1, 2] and v.values == [3.0, 4.0, 5.0] and v.label == "replicated"


def test_targets_not_evaluated_as_published_stay_inconclusive(tmp_path):
    note = "XTREME-R fine-tunes a dual encoder; here the encoder ranks untrained"
    for seed in range(3):
        _doc(tmp_path, target="lareqa", seed=seed, score=40.0, not_as_published=note)
    v = judge_claim(_claim(metric="lareqa.map_at_20", target="lareqa", expected=40.5), tmp_path)
    assert v.label == "inconclusive" and v.reason == f"not replicated as published: lareqa: {note}"


def test_the_xstilts_grid_evaluates_test_sets_beside_dev():
    from synth.replicate.pipeline.plan import build_plan

    plan = build_plan("xstilts", "paper", only=["baseline"])
    splits = {(s.meta["target"], s.config.split) for s in plan.evals()}
    assert {("xnli", "validation"), ("xnli", "test"), ("udpos", "test"), ("xquad", "test")} <= splits
    assert ("xquad", "validation") not in splits  # XQuAD has no dev set: its one evaluation serves both
    labels = [s.label for s in plan.evals() if s.meta["target"] == "xnli"]
    assert sorted(labels)[0].startswith("eval xnli <- baseline") and any("[test]" in label for label in labels)
