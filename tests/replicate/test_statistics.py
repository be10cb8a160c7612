"""synth.replicate.study.statistics and curve_fits on synthetic sweeps whose answer is known by construction.

The generator draws every test example's outcome (correct or not) from a probability that is the language's
baseline accuracy plus a seed effect plus the true Δ(n) of its resource group, so the true slopes, their
difference and the power-law parameters are known, and the bootstrap must find them within its intervals.
"""

from __future__ import annotations

import numpy as np
import pytest

from synth.replicate.study.curve_fits import aic, fit_loglinear, fit_power_law, predict_power_law
from synth.replicate.pipeline.example_scores import parts_for, score_from_sums, with_counts
from synth.replicate.study.statistics import TaskGrid, VolumeGrid, analyse, paired_deltas

VOLUMES = [0, 100, 300, 1000, 3000, 10000]
LOW = {f"l{i}" for i in range(6)}
HIGH = {f"h{i}" for i in range(6)}
GROUPS = {"low_resource": LOW, "high_resource": HIGH}


def loglinear_truth(slopes: dict[str, float]):
    """Δ(n) = slope · log10(n / 100): zero at 100 examples, `slope` points per tenfold more."""
    return lambda group, n: 0.0 if n == 0 else slopes[group] * np.log10(n / 100) + 1.0


def synthetic_grid(truth, *, seeds=3, examples=400, language_sd=0.5, seed_sd=0.4, rng_seed=0,
                   fertility=None) -> VolumeGrid:
    """One target over the sweep with per-example 0/1 outcomes (accuracy parts) drawn from the truth."""
    rng = np.random.default_rng(rng_seed)
    languages = sorted(LOW) + sorted(HIGH)
    shape = (seeds, len(VOLUMES), len(languages))
    scores = np.zeros(shape)
    parts = []
    for li, lang in enumerate(languages):
        group = "low_resource" if lang in LOW else "high_resource"
        base = 55 + rng.normal(0, 5)
        # a language's own reaction to volume: random around its group's truth (languages are a sample)
        wobble = rng.normal(0, language_sd)
        lang_parts = np.zeros((seeds, len(VOLUMES), examples, 1))
        difficulty = rng.normal(0, 15, size=examples)  # per-example difficulty, shared by every arm (pairing)
        for s in range(seeds):
            seed_effect = rng.normal(0, seed_sd)
            for v, n in enumerate(VOLUMES):
                if fertility is not None:  # the slope is a function of the language's fertility alone
                    delta = fertility(lang) * np.log10(n / 100) if n else 0.0
                else:
                    delta = truth(group, n) + (wobble * np.log10(n / 100) if n else 0.0)
                p = np.clip((base + delta + (seed_effect if n else 0.0) + difficulty) / 100, 0.01, 0.99)
                outcome = (rng.random(examples) < p).astype(float)
                lang_parts[s, v, :, 0] = outcome
                scores[s, v, li] = 100 * outcome.mean()
        parts.append(lang_parts)
    task = TaskGrid(target="synthetic", languages=languages, seeds=list(range(seeds)), volumes=VOLUMES,
                    scores=scores, parts=parts, kind="mean")
    return VolumeGrid(experiment="synthetic", profile="none", fidelity="pipeline-check", model="none",
                      intermediate="inter", tasks=[task])


def test_paired_deltas_subtract_the_same_seeds_baseline():
    scores = np.array([[[50.0, 60.0], [52.0, 59.0], [55.0, 65.0]],
                       [[40.0, 70.0], [41.0, 72.0], [48.0, 69.0]]])  # 2 seeds, 3 volumes, 2 languages
    assert paired_deltas(scores).tolist() == [[[2.0, -1.0], [5.0, 5.0]], [[1.0, 2.0], [8.0, -1.0]]]


def test_loglinear_fit_recovers_a_known_line_exactly():
    n = np.array([100, 1000, 10000, 100000])
    fit = fit_loglinear(n, 3.0 + 1.5 * np.log10(n))
    assert fit.slope == pytest.approx(1.5) and fit.intercept == pytest.approx(3.0) and fit.rss == pytest.approx(0)


def test_power_law_fit_recovers_known_parameters_and_wins_on_aic():
    n = np.array([100, 300, 1000, 3000, 10000, 30000, 100000], dtype=float)
    y = predict_power_law(6.0, 40.0, 0.45, n)
    fit = fit_power_law(n, y, refine=True)
    assert fit.asymptote == pytest.approx(6.0, rel=1e-4)
    assert fit.scale == pytest.approx(40.0, rel=1e-3)
    assert fit.alpha == pytest.approx(0.45, rel=1e-4)
    line = fit_loglinear(n, y)
    assert aic(fit.rss, len(n), 3) < aic(line.rss, len(n), 2) - 10


def test_aic_prefers_the_line_when_the_data_are_log_linear():
    rng = np.random.default_rng(1)
    n = np.array([100, 300, 1000, 3000, 10000, 30000], dtype=float)
    y = 1.0 + 2.0 * np.log10(n) + rng.normal(0, 0.05, size=n.size)
    line, power = fit_loglinear(n, y), fit_power_law(n, y, refine=True)
    assert aic(line.rss, len(n), 2) < aic(power.rss, len(n), 3)


def test_power_law_fit_is_vectorised_over_replicates():
    n = np.array([100, 300, 1000, 3000, 10000], dtype=float)
    ys = np.stack([predict_power_law(a, 20.0, 0.5, n) for a in (2.0, 4.0, 8.0)])
    fits = fit_power_law(n, ys)
    assert fits.asymptote == pytest.approx([2.0, 4.0, 8.0], abs=0.05)


def test_bootstrap_recovers_known_slopes_and_their_difference():
    truth = {"low_resource": 3.0, "high_resource": 0.5}
    result = analyse(synthetic_grid(loglinear_truth(truth)), GROUPS, replicates=400, seed=3)
    assert result.resampled == ["seeds", "languages", "test examples"]
    by_group = {g.group: g for g in result.groups}
    for group, slope in truth.items():
        fitted = by_group[group].loglinear.slope
        assert fitted.low < slope < fitted.high, (group, fitted)
        assert abs(fitted.estimate - slope) < 1.0
        assert fitted.width < 4.0  # conservative: every level resampled adds its noise again
    diff = result.slope_difference
    assert (diff.low, diff.high) == ("low_resource", "high_resource")
    assert diff.difference.low < 2.5 < diff.difference.high
    assert diff.difference.excludes_zero and diff.p_value < 0.05
    # per-volume points: the band holds the true mean Δ at every volume
    for point in by_group["low_resource"].points:
        true = loglinear_truth(truth)("low_resource", point.examples)
        assert point.delta.low - 1.0 < true < point.delta.high + 1.0


def test_equal_slopes_leave_the_difference_interval_around_zero():
    truth = {"low_resource": 1.0, "high_resource": 1.0}
    result = analyse(synthetic_grid(loglinear_truth(truth), rng_seed=5), GROUPS, replicates=400, seed=1)
    diff = result.slope_difference.difference
    assert diff.low < 0 < diff.high and not diff.excludes_zero
    assert result.slope_difference.p_value > 0.05


def test_interval_coverage_of_the_true_slope_is_at_least_nominal():
    """Over repeated synthetic studies the 90% interval holds the true low-resource slope ≥ 80% of the time
    (resampling every level with replacement is known to be conservative, not liberal)."""
    truth = {"low_resource": 2.0, "high_resource": 0.5}
    hits = 0
    studies = 24
    for k in range(studies):
        grid = synthetic_grid(loglinear_truth(truth), seeds=3, examples=150, rng_seed=100 + k)
        slope = {g.group: g for g in analyse(grid, GROUPS, replicates=150, level=0.90, seed=k).groups}
        interval = slope["low_resource"].loglinear.slope
        hits += interval.low <= 2.0 <= interval.high
    assert hits / studies >= 0.8


def test_example_level_interval_matches_the_paired_binomial_standard_error():
    """One language, one seed: the only variation left is the test set, whose standard error is known."""
    rng = np.random.default_rng(7)
    examples = 2000
    base = (rng.random(examples) < 0.6).astype(float)
    flip = rng.random(examples) < 0.1  # the intermediate model changes 10% of the answers
    arm = np.where(flip, 1 - base, base)
    parts = np.zeros((1, 3, examples, 1))
    parts[0, 0, :, 0], parts[0, 1, :, 0], parts[0, 2, :, 0] = base, arm, arm
    scores = 100 * parts.mean(axis=2)[..., 0][:, :, None]
    task = TaskGrid(target="t", languages=["l0"], seeds=[0], volumes=[0, 100, 1000], scores=scores,
                    parts=[parts], kind="mean")
    grid = VolumeGrid("e", "p", "pipeline-check", "m", "inter", [task])
    result = analyse(grid, {"low_resource": {"l0"}}, replicates=2000, seed=2)
    point = result.groups[0].points[0].delta
    d = 100 * (arm - base)
    se = d.std(ddof=1) / np.sqrt(examples)
    assert point.estimate == pytest.approx(d.mean())
    assert point.width == pytest.approx(2 * 1.96 * se, rel=0.15)
    assert "one seed: seed-to-seed variation is not in the intervals" in result.notes


def test_covariate_adjustment_absorbs_a_confound_with_fertility():
    """The true slope depends only on fertility, and the low-resource languages have the higher fertility:
    the raw group difference is real, the adjusted one is not, and the fertility coefficient is recovered."""
    fert = {lang: (2.5 + 0.1 * i if lang in LOW else 1.0 + 0.1 * i) for group in (LOW, HIGH)
            for i, lang in enumerate(sorted(group))}  # low 2.5-3.0 sub-words per word, high 1.0-1.5
    rng = np.random.default_rng(4)
    distance = {lang: float(rng.uniform(0.3, 0.7)) for lang in fert}
    grid = synthetic_grid(None, fertility=lambda lang: 1.5 * fert[lang], rng_seed=9, language_sd=0.0, examples=1500)
    covariates = {lang: (fert[lang], distance[lang]) for lang in fert}
    result = analyse(grid, GROUPS, covariates=covariates, replicates=300, seed=4)
    adj = result.covariates
    assert adj.units == 12 and adj.left_out == []
    assert adj.unadjusted.excludes_zero and adj.unadjusted.estimate == pytest.approx(1.5 * 1.5, abs=0.6)
    assert adj.adjusted.low < 0 < adj.adjusted.high
    assert adj.fertility.low < 1.5 < adj.fertility.high


def test_span_f1_parts_give_back_the_metric():
    """Per-sentence chunk counts summed over a corpus equal synth's seqeval-0.0.12 span F1."""
    from synth.replicate.evaluation.metrics import compute

    gold = [["NOUN", "VERB", "NOUN", "PUNCT"], ["DET", "ADJ", "NOUN"], ["PRON", "VERB", "ADV", "ADV"]]
    pred = [["NOUN", "VERB", "VERB", "PUNCT"], ["DET", "NOUN", "NOUN"], ["PRON", "VERB", "ADV", "ADJ"]]
    kind, parts = parts_for("span_f1", pred, gold)
    value = score_from_sums(kind, with_counts(kind, np.asarray(parts, dtype=float)).sum(axis=0))
    assert kind == "f1"
    assert float(value) == pytest.approx(compute("span_f1", pred, gold))


def test_accuracy_parts_give_back_the_mean():
    kind, parts = parts_for("retrieval_accuracy", [0, 1, 5, 3], [0, 1, 2, 3])
    value = score_from_sums(kind, with_counts(kind, np.asarray(parts, dtype=float)).sum(axis=0))
    assert (kind, parts, float(value)) == ("mean", [[1], [1], [0], [1]], 75.0)


def test_a_partly_finished_sweep_is_reported_on_its_largest_balanced_part():
    from synth.replicate.study.sweeps import _balanced_volumes

    # seed 0 finished everything, seed 2 three volumes, seed 1 two: 3 volumes x 2 seeds beat 4 x 1 and 2 x 3
    ran = {("t", 0): {50, 150, 500, 1500}, ("t", 1): {150, 500}, ("t", 2): {50, 150, 500}}
    assert _balanced_volumes(ran) == [50, 150, 500]
    ran[("t", 1)] = {50, 150, 500, 1500}  # 3 volumes x 3 seeds keep more cells than 4 x 2
    assert _balanced_volumes(ran) == [50, 150, 500]
    ran[("t", 2)] = {50, 150, 500, 1500}
    assert _balanced_volumes(ran) == [50, 150, 500, 1500]
    # curves need 3 volumes: one seed with 3 beats two seeds with 2
    assert _balanced_volumes({("t", 0): {50, 150, 1500}, ("t", 1): {150, 1500}}) == [50, 150, 1500]


def test_a_power_law_whose_exponent_runs_to_its_bound_is_not_identified():
    """On log-linear data the power law's α runs to a bound of its range (Δ∞ and b then grow without limit):
    flagged as not identified and never preferred. On saturating data α is found and the power law preferred."""
    line = analyse(synthetic_grid(loglinear_truth({"low_resource": 3.0, "high_resource": 0.5})), GROUPS,
                   replicates=200, seed=3, min_curve_volumes=4)
    assert {g.group: (g.power_law.identified, g.preferred) for g in line.groups} == {
        "low_resource": (False, "log-linear"), "high_resource": (False, "log-linear")}
    saturating = lambda group, n: 0.0 if n == 0 else float(predict_power_law(12.0, 40.0, 0.5, n))  # noqa: E731
    curve = analyse(synthetic_grid(saturating, examples=2000), GROUPS, replicates=200, seed=3, min_curve_volumes=4)
    for g in curve.groups:
        assert g.power_law.identified and g.preferred == "power law"
        assert 0.2 < g.power_law.alpha.estimate < 0.8 and g.power_law.asymptote.low < 12.0 < g.power_law.asymptote.high


def test_curves_are_compared_only_with_seven_volumes():
    """Five volumes leave a three-parameter curve two residuals: AIC cannot tell the shapes apart, so no
    comparison is made (the pilot's empty comparison had α at its bound and AIC apart by exactly the penalty)."""
    from synth.replicate.study.statistics import MIN_CURVE_VOLUMES

    result = analyse(synthetic_grid(loglinear_truth({"low_resource": 3.0, "high_resource": 0.5})), GROUPS,
                     replicates=50, seed=3, min_curve_volumes=MIN_CURVE_VOLUMES)
    assert MIN_CURVE_VOLUMES == 7
    assert all(g.power_law is None and g.preferred == "log-linear" for g in result.groups)
    assert any("no log-linear vs power-law comparison is valid" in c for c in result.cautions)
    assert any("3 seeds: a bootstrap over so few seeds understates" in c for c in result.cautions)

