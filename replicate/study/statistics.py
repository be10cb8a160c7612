"""Statistics of the data-volume question: does more English intermediate-task data change zero-shot transfer,
and differently for low- and high-resource languages?

- Δ is paired: score(task, language, seed, n examples) − score(same task, language, seed, no intermediate).
- Intervals come from a hierarchical bootstrap: seeds, then languages within each resource group, then test
  examples (when per-example parts exist: synth.replicate.pipeline.example_scores), always resampled with the pairing
  kept (one test-set resample serves every arm of a language). Resampling a handful of seeds is not valid
  inference about seeds: with seed-specific slopes its 95% intervals cover the true slope 80% of the time at 3
  seeds and 87% at 5 (bench/bench_statistics.py --coverage). Seed-level questions are answered by
  synth.replicate.study.seed_level (t over seed-level slopes, per target); this bootstrap stays for what it is
  valid for: the test-example level (a fixed model's test-set noise) and a descriptive curve band.
- Per resource group, the mean Δ curve over n is fitted log-linearly and with a saturating power law
  (synth.replicate.study.curve_fits), compared by AIC only with at least 7 volumes (with fewer, three
  parameters against two leave too few residuals for AIC to mean anything); slope(low) − slope(high) is tested
  on the bootstrap.
- Resource class is confounded with sub-word fertility and typological distance to English: a language-level
  regression of per-language slopes on the groups, with and without those covariates, shows how much of a
  group difference they absorb.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict

from .curve_fits import aic, alpha_at_bound, fit_loglinear, fit_power_law
from ..pipeline.example_scores import score_from_sums, with_counts


@dataclass
class TaskGrid:
    """One target's scores over the volume sweep: scores[seed, volume, language] (NaN = not run).

    volumes[0] is 0 (the no-intermediate baseline). parts[l], when given, holds per-example parts
    (seeds, volumes, examples, k) of language l, so the test examples can be resampled.
    """

    target: str
    languages: list[str]
    seeds: list[int]
    volumes: list[int]
    scores: np.ndarray
    parts: list[np.ndarray | None] | None = None
    kind: str | None = None  # example_scores kind ("mean" | "f1") of the parts


@dataclass
class VolumeGrid:
    """One run group's sweep of one intermediate task over every target."""

    experiment: str
    profile: str
    fidelity: str
    model: str
    intermediate: str
    tasks: list[TaskGrid]


class Interval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    estimate: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    @property
    def width(self) -> float:
        return self.high - self.low


class CurvePoint(BaseModel):
    examples: int
    delta: Interval


class LogLinearFit(BaseModel):
    intercept: Interval
    slope: Interval  # Δ per tenfold more examples
    aic: float


class PowerLawFit(BaseModel):
    asymptote: Interval
    scale: Interval
    alpha: Interval
    aic: float
    identified: bool = True  # False when the point estimate's α sits at a bound: Δ∞ and b then mean nothing


class GroupAnalysis(BaseModel):
    """One resource group: its Δ curve with intervals and both fits."""

    group: str
    units: list[str]  # "task:language" pairs in the group
    points: list[CurvePoint]
    loglinear: LogLinearFit | None
    power_law: PowerLawFit | None
    preferred: str  # "log-linear" | "power law" | "too few volumes"
    power_law_share: float | None  # share of bootstrap replicates in which the power law has the lower AIC


class SlopeDifference(BaseModel):
    low: str
    high: str
    difference: Interval
    p_value: float


class CovariateAdjustment(BaseModel):
    """Coefficient of 'low-resource' (vs high) on per-language slopes, before and after the covariates."""

    unadjusted: Interval
    adjusted: Interval
    fertility: Interval  # slope change per +1 sub-word per word
    distance: Interval  # slope change per +0.1 syntactic distance to English
    units: int
    left_out: list[str]  # languages without covariates
    usable_share: float  # replicates whose design was of full rank


class LanguagePoint(BaseModel):
    task: str
    language: str
    group: str
    deltas: dict[int, float]  # examples -> Δ, mean over seeds
    slope: float | None


class ScalingAnalysis(BaseModel):
    experiment: str
    profile: str
    fidelity: str
    model: str
    intermediate: str
    targets: list[str]
    seeds: list[int]
    volumes: list[int]
    replicates: int
    level: float
    resampled: list[str]  # the bootstrap's levels, outermost first
    groups: list[GroupAnalysis]
    slope_difference: SlopeDifference | None
    covariates: CovariateAdjustment | None
    languages: list[LanguagePoint]
    notes: list[str]
    cautions: list[str] = []  # what makes these intervals or fits unreliable (seed count, volume count)


def paired_deltas(scores: np.ndarray) -> np.ndarray:
    """Δ[seed, volume-1, language] = scores[seed, volume] − scores[seed, 0] (volume 0 = the baseline)."""
    return scores[:, 1:, :] - scores[:, :1, :]


def _example_level(task: TaskGrid, replicates: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Scores (1 + B, S, V, L): row 0 as measured, rows 1.. with every language's test examples resampled."""
    out = np.repeat(task.scores[None], replicates + 1, axis=0)
    resampled = False
    for li, parts in enumerate(task.parts or []):
        if parts is None:
            continue
        n_examples = parts.shape[2]
        full = np.stack([with_counts(task.kind, parts[s, v]) for s in range(parts.shape[0])
                         for v in range(parts.shape[1])]).reshape(parts.shape[0], parts.shape[1], n_examples, -1)
        weights = rng.multinomial(n_examples, np.full(n_examples, 1.0 / n_examples), size=replicates)
        sums = np.einsum("bn,svnk->bsvk", weights.astype(float), full)
        out[1:, :, :, li] = score_from_sums(task.kind, sums)
        out[0, :, :, li] = score_from_sums(task.kind, full.sum(axis=2))
        resampled = True
    return out, resampled


def _percentile(values: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2 * 100
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def _interval(values: np.ndarray, level: float) -> Interval:
    low, high = _percentile(values[1:], level)
    return Interval(estimate=float(values[0]), low=low, high=high)


MIN_CURVE_VOLUMES = 7  # volumes (besides the baseline) before log-linear and power-law curves are compared
MIN_BOOTSTRAP_SEEDS = 10  # below this, resampling seeds understates seed-to-seed variation (see the docstring)


def analyse(grid: VolumeGrid, groups: dict[str, set[str]], *, covariates: dict[str, tuple[float, float]] | None = None,
            replicates: int = 1000, level: float = 0.95, seed: int = 0,
            min_curve_volumes: int = 4) -> ScalingAnalysis:
    """The whole analysis of one sweep. `groups` are ordered (e.g. low, mid, high resource); `covariates` maps a
    language to (fertility, syntactic distance to English). `min_curve_volumes`: volumes before the curve shapes
    are compared (the study's rule is MIN_CURVE_VOLUMES; the default keeps the reports made before it)."""
    with warnings.catch_warnings():  # an all-NaN cell (an arm not run) is expected: it stays NaN
        warnings.filterwarnings("ignore", message="Mean of empty slice", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
        return _analyse(grid, groups, covariates, replicates, level, seed, min_curve_volumes)


def _analyse(grid, groups, covariates, replicates, level, seed, min_curve_volumes=MIN_CURVE_VOLUMES) -> ScalingAnalysis:
    rng = np.random.default_rng(seed)
    tasks = grid.tasks
    seeds = sorted({s for t in tasks for s in t.seeds})
    volumes = tasks[0].volumes
    n = np.asarray(volumes[1:], dtype=float)
    n_seeds = len(seeds)
    # one seed draw per replicate, shared by every target: a seed's intermediate model serves them all
    seed_idx = np.vstack([np.arange(n_seeds), rng.integers(0, n_seeds, size=(replicates, n_seeds))])
    rows = np.arange(replicates + 1)[:, None]
    notes, example_level = [], False
    # curves[g] (1+B, V-1) and per-unit seed-mean deltas for the language table / covariates
    sums = {g: np.zeros((replicates + 1, len(n))) for g in groups}
    counts = {g: 0 for g in groups}
    units: dict[str, list[str]] = {g: [] for g in groups}
    unit_deltas: list[tuple[str, str, str, np.ndarray]] = []  # task, lang, group, (1+B, V-1) seed-mean Δ
    for task in tasks:
        if task.volumes != volumes:
            raise ValueError(f"{task.target}: volumes {task.volumes} differ from {volumes}")
        scored, resampled = _example_level(task, replicates, rng)
        example_level |= resampled
        if task.seeds != seeds:  # a seed this target lacks stays NaN (left out of the means)
            aligned = np.full(scored.shape[:1] + (n_seeds,) + scored.shape[2:], np.nan)
            aligned[:, [seeds.index(s) for s in task.seeds]] = scored
            scored = aligned
        by_seed = scored[rows, seed_idx]  # (1+B, S, V, L): seeds resampled per replicate
        deltas = by_seed[:, :, 1:, :] - by_seed[:, :, :1, :]
        for g, members in groups.items():
            idx = [i for i, lang in enumerate(task.languages) if lang in members]
            if not idx:
                continue
            picks = np.vstack([np.arange(len(idx)), rng.integers(0, len(idx), size=(replicates, len(idx)))])
            chosen = np.asarray(idx)[picks]  # (1+B, Lg): languages resampled within the group
            d = np.take_along_axis(deltas, chosen[:, None, None, :], axis=3)
            sums[g] += np.nanmean(d, axis=(1, 3))
            counts[g] += 1
            units[g] += [f"{task.target}:{task.languages[i]}" for i in idx]
            # per-language seed means under the same seed and example resampling, for the covariate regression
            for i in idx:
                unit_deltas.append((task.target, task.languages[i], g, np.nanmean(deltas[:, :, :, i], axis=1)))
    curves = {g: sums[g] / counts[g] for g in groups if counts[g]}
    group_results = [_group(g, curves[g], n, units[g], level, min_curve_volumes) for g in groups if g in curves]
    names = [g for g in groups if g in curves]
    difference = None
    fitted = [g.group for g in group_results if g.loglinear is not None]
    if len(names) >= 2 and names[0] in fitted and names[-1] in fitted:
        low, high = names[0], names[-1]
        d = fit_loglinear(n, curves[low]).slope - fit_loglinear(n, curves[high]).slope
        share_le = float(np.mean(d[1:] <= 0))
        p_value = min(1.0, 2 * min(share_le, float(np.mean(d[1:] >= 0))))
        difference = SlopeDifference(low=low, high=high, difference=_interval(d, level), p_value=p_value)
    adjustment = None
    if covariates is not None and difference is not None:
        adjustment = _covariate_adjustment(unit_deltas, n, names[0], names[-1], covariates, level, rng)
    resampled_levels = (["seeds"] if n_seeds > 1 else []) + ["languages"] + (["test examples"] if example_level else [])
    if n_seeds == 1:
        notes.append("one seed: seed-to-seed variation is not in the intervals")
    cautions = []
    if 1 < n_seeds < MIN_BOOTSTRAP_SEEDS:
        cautions.append(f"{n_seeds} seeds: a bootstrap over so few seeds understates seed-to-seed variation (95% "
                     "intervals covered 80% at 3 seeds, 87% at 5 in simulation); the seed-level t-intervals "
                     "(synth.replicate.study.seed_level) are the inference")
    if len(n) < MIN_CURVE_VOLUMES:
        cautions.append(f"{len(n)} volumes: no log-linear vs power-law comparison is valid (the study's rule "
                        f"needs {MIN_CURVE_VOLUMES})")
    if not example_level:
        notes.append("no per-example scores: test-set sampling variation is not in the intervals")
    languages = [LanguagePoint(task=t, language=lang, group=g,
                               deltas={int(v): round(float(x), 4) for v, x in zip(n, d[0]) if np.isfinite(x)},
                               slope=(float(fit_loglinear(n, d[0]).slope) if len(n) >= 2 and np.all(np.isfinite(d[0]))
                                      else None))
                 for t, lang, g, d in unit_deltas]
    return ScalingAnalysis(
        experiment=grid.experiment, profile=grid.profile, fidelity=grid.fidelity, model=grid.model,
        intermediate=grid.intermediate, targets=[t.target for t in tasks], seeds=seeds, volumes=list(volumes[1:]),
        replicates=replicates, level=level, resampled=resampled_levels, groups=group_results,
        slope_difference=difference, covariates=adjustment, languages=languages, notes=notes, cautions=cautions)


def _group(name: str, curve: np.ndarray, n: np.ndarray, units: list[str], level: float,
           min_curve_volumes: int = MIN_CURVE_VOLUMES) -> GroupAnalysis:
    keep = np.all(np.isfinite(curve), axis=0)  # volumes with a value in every replicate
    n_kept, y = n[keep], curve[:, keep]
    points = [CurvePoint(examples=int(v), delta=_interval(curve[:, j], level)) for j, v in enumerate(n) if keep[j]]
    loglinear = power = None
    preferred, share = "too few volumes", None
    if len(n_kept) >= 3:
        ll = fit_loglinear(n_kept, y)
        aic_ll = aic(ll.rss, len(n_kept), 2)
        loglinear = LogLinearFit(intercept=_interval(ll.intercept, level), slope=_interval(ll.slope, level),
                                 aic=float(aic_ll[0]))
    if len(n_kept) >= max(4, min_curve_volumes):  # three parameters: AIC needs residuals to compare
        pw = fit_power_law(n_kept, y[1:])
        best = fit_power_law(n_kept, y[0], refine=True)
        aic_pw = aic(pw.rss, len(n_kept), 3)
        power = PowerLawFit(
            asymptote=_interval(np.concatenate([[best.asymptote], pw.asymptote]), level),
            scale=_interval(np.concatenate([[best.scale], pw.scale]), level),
            alpha=_interval(np.concatenate([[best.alpha], pw.alpha]), level),
            aic=float(aic(best.rss, len(n_kept), 3)), identified=not alpha_at_bound(float(best.alpha)))
        share = float(np.mean(aic_pw < aic_ll[1:]))
        preferred = "power law" if power.aic < loglinear.aic and power.identified else "log-linear"
    elif loglinear is not None:
        preferred = "log-linear"
    return GroupAnalysis(group=name, units=units, points=points, loglinear=loglinear, power_law=power,
                         preferred=preferred, power_law_share=share)


def _covariate_adjustment(unit_deltas, n, low: str, high: str, covariates: dict[str, tuple[float, float]],
                          level: float, rng: np.random.Generator) -> CovariateAdjustment | None:
    have = [u for u in unit_deltas if u[1] in covariates]
    left_out = sorted({u[1] for u in unit_deltas if u[1] not in covariates})
    if not have:
        return None
    slopes = np.stack([fit_loglinear(n, d).slope for _, _, _, d in have], axis=1)  # (1+B, U)
    tasks = sorted({u[0] for u in have})
    groups = sorted({u[2] for u in have} - {high})
    if low not in groups or high not in {u[2] for u in have}:
        return None
    base = np.array([[float(u[0] == t) for t in tasks] + [float(u[2] == g) for g in groups] for u in have])
    extra = np.array([[covariates[u[1]][0], covariates[u[1]][1] * 10] for u in have])  # distance per 0.1
    low_col = len(tasks) + groups.index(low)
    results = {"unadjusted": [], "adjusted": [], "fertility": [], "distance": []}
    usable = 0
    strata: dict[tuple[str, str], list[int]] = {}
    for i, u in enumerate(have):
        strata.setdefault((u[0], u[2]), []).append(i)
    full = np.hstack([base, extra])
    for b, y in enumerate(slopes):
        # replicate b > 0 resamples languages within each (task, group), as the curves do
        pick = np.arange(len(have)) if b == 0 else np.concatenate(
            [rng.choice(members, size=len(members)) for members in strata.values()])
        y = y[pick]
        ok = np.all(np.isfinite(y))
        for label, design in (("unadjusted", base[pick]), ("adjusted", full[pick])):
            full_rank = ok and np.linalg.matrix_rank(design) == design.shape[1]
            coef = np.linalg.lstsq(design, y, rcond=None)[0] if full_rank else np.full(design.shape[1], np.nan)
            results[label].append(coef[low_col])
            if label == "adjusted":
                results["fertility"].append(coef[-2])
                results["distance"].append(coef[-1])
                usable += int(full_rank)
    arrays = {k: np.asarray(v) for k, v in results.items()}
    return CovariateAdjustment(
        unadjusted=_interval(arrays["unadjusted"], level), adjusted=_interval(arrays["adjusted"], level),
        fertility=_interval(arrays["fertility"], level), distance=_interval(arrays["distance"], level),
        units=len(have), left_out=left_out, usable_share=usable / len(slopes))
