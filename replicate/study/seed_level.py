"""Seed-level inference for the data-volume question, one target task at a time.

The unit of replication is the seed: each seed is a full, independent run of every volume (its own data
subsample, initialisation and data order), so seed-to-seed variation is what an interval must carry. Languages
are fixed in advance (the groups the question names), not sampled, and each target keeps its own metric: no
mean is taken across targets.

Per target, group and seed: the group's mean paired Δ (score at n examples − the same seed's baseline) at every
volume, and the least-squares slope of that curve on log10(n) — points per tenfold more intermediate data. Each
seed has its own slope (seeds differ in how volume helps, not only in level), and the interval for the group
slope is a t-interval over the seeds' slopes (S − 1 degrees of freedom). A contrast (low − high slope; one model
− another) is formed within each seed first, then t-tested over seeds, so what varies by seed cancels where it
is shared. This is exact for normal seed slopes and needs no resampling; a bootstrap over 3-5 seeds is not valid
(it resamples from the few seeds it has, and its intervals are too narrow).

One contrast is the pre-registered primary estimand (an experiment's `design.primary`); the others are reported
with Holm-adjusted p-values. The test set is the same for every seed, so its sampling noise is common to all
seeds and is not in these intervals: they answer "on these test sets", which the report says.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .statistics import Interval, TaskGrid, VolumeGrid

__all__ = ["Contrast", "GroupSlope", "SeedLevelAnalysis", "TargetAnalysis", "analyse_seeds", "covariate_contrast",
           "holm", "model_contrast", "seed_slopes", "t_interval"]


class SeedInterval(Interval):
    """A t-interval over seeds (estimate = mean), with its test of zero."""

    seeds: int
    sd: float
    t: float | None
    p_value: float | None


class VolumePoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    examples: int
    delta: SeedInterval


class GroupSlope(BaseModel):
    """One group of languages on one target: the Δ curve and its slope per tenfold, seed by seed."""

    model_config = ConfigDict(extra="forbid")

    group: str
    languages: list[str]
    points: list[VolumePoint]
    seed_slopes: dict[int, float]
    slope: SeedInterval


class Contrast(BaseModel):
    """A difference formed within each seed (paired), tested over seeds."""

    model_config = ConfigDict(extra="forbid")

    name: str
    per_seed: dict[int, float]
    difference: SeedInterval
    primary: bool = False
    p_holm: float | None = Field(None, description="Holm-adjusted over the non-primary contrasts")


class TargetAnalysis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str
    volumes: list[int]
    seeds: list[int]
    groups: list[GroupSlope]
    contrasts: list[Contrast]


class SeedLevelAnalysis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiment: str
    model: str
    intermediate: str
    level: float
    targets: list[TargetAnalysis]
    primary: str | None = Field(None, description="the pre-registered primary contrast, by name")
    notes: list[str]

    def contrast(self, name: str) -> Contrast | None:
        return next((c for t in self.targets for c in t.contrasts if c.name == name), None)


def t_interval(values, level: float = 0.95) -> SeedInterval:
    """Mean ± t_{S-1} · sd / √S over seed-level values (NaN left out); with one seed the interval is unbounded."""
    from scipy import stats

    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    s = x.size
    if s == 0:
        return SeedInterval(estimate=float("nan"), low=float("nan"), high=float("nan"), seeds=0, sd=float("nan"),
                            t=None, p_value=None)
    mean = float(x.mean())
    if s == 1:
        return SeedInterval(estimate=mean, low=-math.inf, high=math.inf, seeds=1, sd=float("nan"), t=None,
                            p_value=None)
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(s)
    half = float(stats.t.ppf(0.5 + level / 2, s - 1)) * se
    t = mean / se if se > 0 else (math.inf if mean else 0.0)
    p = float(2 * stats.t.sf(abs(t), s - 1)) if se > 0 else (0.0 if mean else 1.0)
    return SeedInterval(estimate=mean, low=mean - half, high=mean + half, seeds=s, sd=sd, t=float(t), p_value=p)


def holm(p_values: dict[str, float]) -> dict[str, float]:
    """Holm's step-down adjustment (family-wise error), monotone, capped at 1."""
    order = sorted(p_values, key=lambda k: p_values[k])
    m, running, out = len(order), 0.0, {}
    for i, name in enumerate(order):
        running = max(running, min(1.0, (m - i) * p_values[name]))
        out[name] = running
    return out


def _slope(log_n: np.ndarray, y: np.ndarray) -> float:
    keep = np.isfinite(y)
    if keep.sum() < 2:
        return float("nan")
    x, y = log_n[keep], y[keep]
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())


def group_curves(task: TaskGrid, members: set[str]) -> tuple[list[str], np.ndarray]:
    """(languages, Δ[seed, volume]) of one group: the mean over its languages of the paired Δ (volume 0 = the
    seed's own baseline)."""
    idx = [i for i, lang in enumerate(task.languages) if lang in members]
    if not idx:
        return [], np.empty((len(task.seeds), len(task.volumes) - 1))
    deltas = task.scores[:, 1:, idx] - task.scores[:, :1, idx]
    with np.errstate(invalid="ignore"):
        counts = np.isfinite(deltas).sum(axis=2)
        curve = np.where(counts == len(idx), np.nansum(deltas, axis=2) / np.maximum(counts, 1), np.nan)
    return [task.languages[i] for i in idx], curve  # a seed missing a language at a volume has no point there


def seed_slopes(task: TaskGrid, members: set[str]) -> dict[int, float]:
    """seed -> the slope of the group's Δ curve on log10(n), in points per tenfold."""
    _, curve = group_curves(task, members)
    log_n = np.log10(np.asarray(task.volumes[1:], dtype=float))
    return {seed: _slope(log_n, curve[s]) for s, seed in enumerate(task.seeds)}


def analyse_target(task: TaskGrid, groups: dict[str, set[str]], *, level: float = 0.95,
                   contrast: tuple[str, str] | None = None) -> TargetAnalysis:
    """Every group's curve and slope on one target, and the (first − last group) slope contrast."""
    results = []
    for name, members in groups.items():
        languages, curve = group_curves(task, members)
        if not languages:
            continue
        points = [VolumePoint(examples=int(n), delta=t_interval(curve[:, j], level))
                  for j, n in enumerate(task.volumes[1:])]
        slopes = seed_slopes(task, members)
        results.append(GroupSlope(group=name, languages=languages, points=points, seed_slopes=slopes,
                                  slope=t_interval(list(slopes.values()), level)))
    contrasts = []
    names = [g.group for g in results]
    low, high = contrast or ((names[0], names[-1]) if len(names) >= 2 else (None, None))
    if low in names and high in names and low != high:
        a, b = (next(g for g in results if g.group == x) for x in (low, high))
        per_seed = {s: a.seed_slopes[s] - b.seed_slopes[s] for s in a.seed_slopes}
        contrasts.append(Contrast(name=f"{task.target}: slope {low} - {high}", per_seed=per_seed,
                                  difference=t_interval(list(per_seed.values()), level)))
    return TargetAnalysis(target=task.target, volumes=list(task.volumes[1:]), seeds=list(task.seeds),
                          groups=results, contrasts=contrasts)


def analyse_seeds(grid: VolumeGrid, groups: dict[str, set[str]], *, level: float = 0.95,
                  primary: str | None = None, contrast: tuple[str, str] | None = None) -> SeedLevelAnalysis:
    """Per target: group slopes and the low − high contrast, t over seeds; Holm over every contrast but the
    primary one (named `<target>: slope <low> - <high>`)."""
    targets = [analyse_target(t, groups, level=level, contrast=contrast) for t in grid.tasks]
    notes = []
    seeds = sorted({s for t in grid.tasks for s in t.seeds})
    if len(seeds) < 5:
        notes.append(f"{len(seeds)} seed(s): a t-interval over so few seeds is wide, and with fewer than 3 it "
                     "says almost nothing; the design asks for at least 5")
    if any(len(t.volumes) - 1 < 3 for t in grid.tasks):
        notes.append("fewer than 3 volumes: a slope per seed rests on two points")
    notes.append("the test sets are shared by every seed: their sampling noise is not in these intervals")
    _adjust(targets, primary)
    if primary is not None and not any(c.name == primary for t in targets for c in t.contrasts):
        notes.append(f"the primary estimand {primary!r} could not be formed from these results")
    return SeedLevelAnalysis(experiment=grid.experiment, model=grid.model, intermediate=grid.intermediate,
                             level=level, targets=targets, primary=primary, notes=notes)


def _adjust(targets: list[TargetAnalysis], primary: str | None) -> None:
    others = {c.name: c.difference.p_value for t in targets for c in t.contrasts
              if c.name != primary and c.difference.p_value is not None}
    adjusted = holm(others)
    for t in targets:
        for c in t.contrasts:
            c.primary = c.name == primary
            c.p_holm = None if c.primary else adjusted.get(c.name)


def model_contrast(by_model: dict[str, SeedLevelAnalysis], target: str, *, larger: str, smaller: str,
                   low: str, high: str, level: float = 0.95) -> Contrast | None:
    """Volume × size: (low − high slope of the larger model) − (the same of the smaller), per seed (a seed's
    subsample is the same for every model), t over the seeds both models have."""
    def per_seed(model: str) -> dict[int, float]:
        c = by_model[model].contrast(f"{target}: slope {low} - {high}")
        return c.per_seed if c else {}

    a, b = per_seed(larger), per_seed(smaller)
    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    diff = {s: a[s] - b[s] for s in shared}
    return Contrast(name=f"{target}: ({low} - {high}) slope, {larger} - {smaller}", per_seed=diff,
                    difference=t_interval(list(diff.values()), level))


def covariate_contrast(task: TaskGrid, groups: dict[str, set[str]], covariate: dict[str, float], *, low: str,
                       high: str, name: str = "cc100_log_size", level: float = 0.95) -> Contrast | None:
    """The low − high slope difference adjusted for a language-level covariate (log pretraining-data size): per
    seed, each language's slope on log10(n) is regressed on [1, in low group, covariate] over the languages of
    both groups that have the covariate; the low-group coefficient is t-tested over seeds."""
    members = {lang: g for g in (low, high) for lang in groups[g]}
    idx = [i for i, lang in enumerate(task.languages) if lang in members and lang in covariate]
    in_low = np.array([members[task.languages[i]] == low for i in idx], dtype=float)
    if len(idx) < 4 or in_low.sum() < 2 or (1 - in_low).sum() < 2:
        return None
    design = np.column_stack([np.ones(len(idx)), in_low, [covariate[task.languages[i]] for i in idx]])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return None  # the covariate separates the groups exactly: no adjusted difference is identified
    log_n = np.log10(np.asarray(task.volumes[1:], dtype=float))
    per_seed = {}
    for s, seed in enumerate(task.seeds):
        slopes = np.array([_slope(log_n, task.scores[s, 1:, i] - task.scores[s, 0, i]) for i in idx])
        keep = np.isfinite(slopes)
        if keep.sum() > design.shape[1]:
            per_seed[seed] = float(np.linalg.lstsq(design[keep], slopes[keep], rcond=None)[0][1])
    if not per_seed:
        return None
    return Contrast(name=f"{task.target}: slope {low} - {high}, adjusted for {name}", per_seed=per_seed,
                    difference=t_interval(list(per_seed.values()), level))

