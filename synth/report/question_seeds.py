"""The question section for a sweep run under a pre-registered design (an experiment's `design:` block): seed-level
inference per target (synth.replicate.study.seed_level), the primary estimand first, every other contrast with its
Holm-adjusted p-value, the low − high difference adjusted for log CC-100 size, and plain-words findings whose
strength follows the intervals. No mean is taken across targets (each keeps its own metric), and no bootstrap is
used: with a handful of seeds it resamples the few it has and its intervals are too narrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synth.replicate.study.seed_level import Contrast, SeedLevelAnalysis, TargetAnalysis

LEVEL = 0.95


@dataclass
class SeedLevelView:
    """What the template shows for one designed sweep."""

    analysis: SeedLevelAnalysis
    primary_description: str
    adjusted: list[Contrast]  # per target: the low − high contrast adjusted for log CC-100 size
    conclusion: list[str]
    language_rows: list[dict] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        return sorted({s for t in self.analysis.targets for s in t.seeds})

    @property
    def volumes(self) -> list[int]:
        return sorted({n for t in self.analysis.targets for n in t.volumes})


def _iv(x) -> str:
    return f"{x.estimate:+.2f} [{x.low:+.2f}, {x.high:+.2f}]"


def _p(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.3f}"


def _label(name: str) -> str:
    return name.replace("_", " ")


def _effect(iv, what: str) -> str:
    if iv.low > 0:
        return f"more {what} helps"
    if iv.high < 0:
        return f"more {what} hurts"
    return "no detectable effect of volume: the interval includes 0"


def _target_lines(t: TargetAnalysis, intermediate: str, primary: str | None, adjusted: Contrast | None) -> list[str]:
    pct = f"{LEVEL:.0%}"
    seeds = len(t.seeds)
    lines = []
    for c in t.contrasts:
        iv = c.difference
        names = c.name.split(": ", 1)[1].replace("slope ", "").replace("_", " ")
        head = (f"{'Primary estimand' if c.name == primary else 'Contrast'} ({t.target}, slope {names}): "
                f"{iv.estimate:+.2f} points per tenfold ({pct} t-interval over {iv.seeds} seeds "
                f"[{iv.low:+.2f}, {iv.high:+.2f}], p = {_p(iv.p_value)}"
                + ("" if c.primary else f", Holm-adjusted p = {_p(c.p_holm)}") + ")")
        if iv.excludes_zero:
            low = names.split(" - ")[0]
            lines.append(f"{head}: the {low} languages gain {'more' if iv.estimate > 0 else 'less'} from more "
                         f"{intermediate} data at equal steps than the others.")
        else:
            bound = max(abs(iv.low), abs(iv.high))
            lines.append(f"{head}: the data cannot tell whether volume matters differently for the two groups; "
                         f"differences up to {bound:.2f} points per tenfold are compatible with these runs.")
    for g in t.groups:
        lines.append(f"{t.target}, {_label(g.group)} ({len(g.languages)} languages): {_iv(g.slope)} points per "
                     f"tenfold more {intermediate} examples ({pct} t-interval over {g.slope.seeds} seeds) — "
                     f"{_effect(g.slope, intermediate + ' data')}.")
    below = [g for g in t.groups if all(p.delta.high < 0 for p in g.points)]
    above = [g for g in t.groups if all(p.delta.low > 0 for p in g.points)]
    for g, word in [(g, "lowered") for g in below] + [(g, "raised") for g in above]:
        worst = min(g.points, key=lambda p: abs(p.delta.estimate))
        lines.append(f"{t.target}, {_label(g.group)}: {intermediate} training {word} transfer at every volume "
                     f"tried (the mean Δ's interval excludes 0 at each; smallest change {worst.delta.estimate:+.2f} "
                     f"at {worst.examples:,} examples).")
    if adjusted is not None:
        iv = adjusted.difference
        lines.append(f"{t.target}: adjusted for log CC-100 size (XLM-R's pretraining data per language), the low − "
                     f"high slope difference is {_iv(iv)} (t over {iv.seeds} seeds, Holm-adjusted p = "
                     f"{_p(adjusted.p_holm)}).")
    if seeds < 5:
        lines.append(f"{t.target}: only {seeds} seed(s); the design asks for at least 5.")
    return lines


def _language_rows(task, groups: dict[str, set[str]], languages: dict) -> list[dict]:
    """Per language: the mean over seeds of the paired Δ at each volume, and the slope of that mean on log10 n."""
    by_language = {lang: name for name, members in groups.items() for lang in members}
    log_n = np.log10(np.asarray(task.volumes[1:], dtype=float))
    rows = []
    for i, lang in enumerate(task.languages):
        if lang not in by_language:
            continue
        with np.errstate(invalid="ignore"):
            deltas = np.nanmean(task.scores[:, 1:, i] - task.scores[:, :1, i], axis=0)
        keep = np.isfinite(deltas)
        slope = float(np.polyfit(log_n[keep], deltas[keep], 1)[0]) if keep.sum() >= 2 else None
        info = languages.get(lang)
        rows.append({"task": task.target, "language": lang, "name": getattr(info, "name", "unknown"),
                     "group": by_language[lang], "deltas": [float(d) if np.isfinite(d) else None for d in deltas],
                     "slope": slope})
    return sorted(rows, key=lambda r: (r["task"], r["group"], r["language"]))


def build_seed_level(grid, design, languages: dict) -> SeedLevelView:
    """The seed-level view of one sweep under `design` (synth.replicate.experiments.Design)."""
    from synth.replicate.study.covariates import cc100_log_sizes
    from synth.replicate.study.seed_level import analyse_seeds, covariate_contrast, holm

    groups = {name: set(langs) for name, langs in design.language_groups.items()}
    p = design.primary
    primary = p.name
    analysis = analyse_seeds(grid, groups, level=LEVEL, primary=primary, contrast=(p.low, p.high))
    adjusted = []
    if "cc100_log_size" in design.covariates:
        sizes = cc100_log_sizes()
        for task in grid.tasks:
            c = covariate_contrast(task, groups, sizes, low=p.low, high=p.high, level=LEVEL)
            if c is not None:
                adjusted.append(c)
    # Holm over every secondary contrast together: the group contrasts of other targets and the adjusted ones
    family = {c.name: c.difference.p_value for t in analysis.targets for c in t.contrasts if not c.primary}
    family.update({c.name: c.difference.p_value for c in adjusted})
    corrected = holm({k: v for k, v in family.items() if v is not None})
    for c in [c for t in analysis.targets for c in t.contrasts if not c.primary] + adjusted:
        c.p_holm = corrected.get(c.name)
    lines = []
    for t in sorted(analysis.targets, key=lambda t: t.target != p.target):  # the primary target first
        lines += _target_lines(t, grid.intermediate, primary,
                               next((c for c in adjusted if c.name.startswith(f"{t.target}:")), None))
    rows = [r for task in grid.tasks for r in _language_rows(task, groups, languages)]
    return SeedLevelView(analysis=analysis, primary_description=p.description, adjusted=adjusted,
                         conclusion=lines, language_rows=rows)
