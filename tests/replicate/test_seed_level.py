"""Seed-level inference (synth.replicate.study.seed_level) on simulated sweeps whose seeds have their own slopes:
the intervals must cover the true slope and the true low − high contrast at the nominal rate, within simulation
error; targets are analysed one at a time; Holm adjusts every contrast but the pre-registered one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from synth.replicate.study.seed_level import analyse_seeds, holm, model_contrast, t_interval
from synth.replicate.study.statistics import TaskGrid, VolumeGrid

VOLUMES = [0, 50, 150, 500, 1500, 5000]
LOW = [f"l{i}" for i in range(5)]
HIGH = [f"h{i}" for i in range(5)]
GROUPS = {"low_resource": set(LOW), "high_resource": set(HIGH)}


def simulate(rng, *, slopes=(2.0, 0.5), seeds=5, seed_slope_sd=3.0, noise_sd=1.0, target="xnli", scale=1.0,
             language_slope_sd=1.0):
    """One target's scores[seed, volume, language] and the true group slopes (means over the fixed languages).

    Every seed draws its own slope for each group (sd `seed_slope_sd`, the size the pilot measured) and its own
    level; every language has its own fixed slope offset; every score has independent noise."""
    languages = LOW + HIGH
    offsets = rng.normal(0, language_slope_sd, len(languages))
    truth = {"low_resource": slopes[0] + offsets[:len(LOW)].mean(), "high_resource": slopes[1] + offsets[len(LOW):].mean()}
    log_n = np.log10(np.asarray(VOLUMES[1:], dtype=float) / 50)
    scores = np.zeros((seeds, len(VOLUMES), len(languages)))
    for s in range(seeds):
        seed_slope = {"low_resource": rng.normal(0, seed_slope_sd), "high_resource": rng.normal(0, seed_slope_sd)}
        level = rng.normal(0, 2)
        for li, lang in enumerate(languages):
            group = "low_resource" if lang in LOW else "high_resource"
            base = 60 + rng.normal(0, 5)
            scores[s, 0, li] = base + rng.normal(0, noise_sd)
            beta = slopes[group == "high_resource"] + offsets[li] + seed_slope[group]
            scores[s, 1:, li] = base + level + beta * log_n + rng.normal(0, noise_sd, len(log_n))
    task = TaskGrid(target=target, languages=languages, seeds=list(range(seeds)), volumes=VOLUMES,
                    scores=scores * scale)
    return task, {g: v * scale for g, v in truth.items()}


def _grid(*tasks, model="m") -> VolumeGrid:
    return VolumeGrid(experiment="sim", profile="none", fidelity="pipeline-check", model=model, intermediate="mnli",
                      tasks=list(tasks))


def test_t_interval_matches_the_textbook_formula():
    values = [1.0, 2.5, -0.5, 4.0, 3.0]
    r = t_interval(values, 0.95)
    mean, se = np.mean(values), np.std(values, ddof=1) / math.sqrt(5)
    half = stats.t.ppf(0.975, 4) * se
    assert (r.estimate, r.low, r.high, r.seeds) == pytest.approx((mean, mean - half, mean + half, 5))
    assert r.p_value == pytest.approx(stats.ttest_1samp(values, 0).pvalue)
    assert math.isinf(t_interval([2.0]).high)  # one seed: no interval


def test_holm_is_the_step_down_adjustment():
    assert holm({"a": 0.01, "b": 0.04, "c": 0.03}) == pytest.approx({"a": 0.03, "c": 0.06, "b": 0.06})
    assert holm({"a": 0.6, "b": 0.7}) == pytest.approx({"a": 1.0, "b": 1.0})


def test_intervals_cover_seed_specific_slopes_at_the_nominal_rate():
    """1,000 simulated studies with 5 seeds, each seed with its own slope per group (sd 3 points per tenfold):
    the 95% t-intervals for the low-resource slope and for low − high cover the truth 95% ± 3 simulation SEs."""
    rng = np.random.default_rng(2026)
    runs, hit_slope, hit_diff = 1000, 0, 0
    for _ in range(runs):
        task, truth = simulate(rng)
        target = analyse_seeds(_grid(task), GROUPS).targets[0]
        low = next(g for g in target.groups if g.group == "low_resource").slope
        diff = target.contrasts[0].difference
        hit_slope += low.low <= truth["low_resource"] <= low.high
        hit_diff += diff.low <= truth["low_resource"] - truth["high_resource"] <= diff.high
    se = math.sqrt(0.95 * 0.05 / runs)
    for hits in (hit_slope, hit_diff):
        assert abs(hits / runs - 0.95) <= 3 * se, hits / runs


def test_each_target_is_analysed_on_its_own_scale():
    rng = np.random.default_rng(1)
    accuracy, _ = simulate(rng, target="xnli")
    retrieval, truth = simulate(rng, target="tatoeba", scale=10.0)  # another metric, ten times the spread
    alone = analyse_seeds(_grid(accuracy), GROUPS).targets[0]
    both = analyse_seeds(_grid(accuracy, retrieval), GROUPS)
    assert [t.target for t in both.targets] == ["xnli", "tatoeba"]
    assert both.targets[0].groups[0].slope == alone.groups[0].slope  # the other target changes nothing
    assert len(both.targets[1].contrasts) == 1 and both.targets[1].contrasts[0].name == \
        "tatoeba: slope low_resource - high_resource"


def test_primary_estimand_is_left_out_of_the_holm_family():
    rng = np.random.default_rng(5)
    tasks = [simulate(rng, target=name)[0] for name in ("xnli", "pawsx", "tatoeba")]
    primary = "xnli: slope low_resource - high_resource"
    result = analyse_seeds(_grid(*tasks), GROUPS, primary=primary)
    first = result.contrast(primary)
    assert first.primary and first.p_holm is None
    others = {c.name: c.difference.p_value for t in result.targets for c in t.contrasts if c.name != primary}
    expected = holm(others)
    for t in result.targets[1:]:
        assert t.contrasts[0].p_holm == pytest.approx(expected[t.contrasts[0].name])
        assert t.contrasts[0].p_holm >= t.contrasts[0].difference.p_value


def test_volume_by_size_contrast_pairs_seeds_across_models():
    rng = np.random.default_rng(7)
    large, _ = simulate(rng, slopes=(4.0, 0.5), seed_slope_sd=0.3, noise_sd=0.2, language_slope_sd=0.0)
    small, _ = simulate(rng, slopes=(1.0, 0.5), seed_slope_sd=0.3, noise_sd=0.2, language_slope_sd=0.0)
    by_model = {m: analyse_seeds(_grid(t, model=m), GROUPS) for m, t in (("large", large), ("small", small))}
    c = model_contrast(by_model, "xnli", larger="large", smaller="small", low="low_resource", high="high_resource")
    assert sorted(c.per_seed) == [0, 1, 2, 3, 4]
    assert c.difference.low < 3.0 < c.difference.high and c.difference.p_value < 0.01


def test_missing_language_score_leaves_that_seed_out_of_the_point_not_the_mean():
    rng = np.random.default_rng(3)
    task, _ = simulate(rng)
    task.scores[2, 3, 0] = np.nan  # seed 2 lost one low-resource language at one volume
    target = analyse_seeds(_grid(task), GROUPS).targets[0]
    low = next(g for g in target.groups if g.group == "low_resource")
    assert low.points[2].delta.seeds == 4 and low.points[1].delta.seeds == 5
    assert np.isfinite(low.seed_slopes[2])  # the slope of seed 2 uses its other volumes


def test_a_covariate_that_explains_the_group_difference_absorbs_it():
    """Each language's slope is 1.5 x its (log) pretraining size; low-resource languages have less data, so the
    unadjusted low − high contrast is far from 0 and the adjusted one is not."""
    from synth.replicate.study.seed_level import covariate_contrast

    rng = np.random.default_rng(11)
    languages = LOW + HIGH
    size = {lang: (rng.uniform(-1, 0.5) if lang in LOW else rng.uniform(0.5, 2.0)) for lang in languages}
    log_n = np.log10(np.asarray(VOLUMES[1:], dtype=float) / 50)
    scores = np.zeros((5, len(VOLUMES), len(languages)))
    for s in range(5):
        for li, lang in enumerate(languages):
            scores[s, 0, li] = 60
            scores[s, 1:, li] = 60 + (-1.5 * size[lang] + rng.normal(0, 0.3)) * log_n + rng.normal(0, 0.2, len(log_n))
    task = TaskGrid(target="xnli", languages=languages, seeds=list(range(5)), volumes=VOLUMES, scores=scores)
    raw = analyse_seeds(_grid(task), GROUPS).targets[0].contrasts[0].difference
    adjusted = covariate_contrast(task, GROUPS, size, low="low_resource", high="high_resource").difference
    assert raw.low > 1.0  # low-resource languages (less data) gain more per tenfold
    assert adjusted.low < 0 < adjusted.high and abs(adjusted.estimate) < abs(raw.estimate) / 3


def test_cc100_sizes_cover_the_study_languages_present_in_cc100():
    import math

    from synth.replicate.experiments import load_experiment
    from synth.replicate.study.covariates import cc100_log_sizes

    sizes = cc100_log_sizes()
    for name in ("scaling", "pilot_v2"):
        groups = load_experiment(name).design.language_groups
        missing = {lang for langs in groups.values() for lang in langs} - set(sizes)
        assert missing <= {"qu", "wo", "yo"}, missing  # the three are not in CC-100
    assert sizes["jv"] == pytest.approx(math.log10(0.2)) and sizes["de"] == pytest.approx(math.log10(66.6))
    assert sizes["sw"] < sizes["eu"] < sizes["hi"] < sizes["ru"]  # Table 6: 1.6 < 2 < 20.2 < 278 GiB
